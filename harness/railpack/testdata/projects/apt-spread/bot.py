import lxml
