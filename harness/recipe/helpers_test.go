package recipe

import "testing"

// The import stage runs the python the start command runs: a venv named by path is
// the venv's; anything else is python from PATH.
func TestPythonFor(t *testing.T) {
	for _, tc := range []struct{ start, want string }{
		{"python app.py", "python"},
		{"gunicorn --bind 0.0.0.0:$PORT app:app", "python"},
		{"/opt/venv/bin/python app.py", "/opt/venv/bin/python"},
		{"/opt/venv/bin/python3.13 -m app", "/opt/venv/bin/python3.13"},
		{"/opt/venv/bin/gunicorn -k uvicorn.workers.UvicornWorker api.index:app", "/opt/venv/bin/python"},
		// a system directory's program runs on whatever python it was installed for
		{"/usr/bin/gunicorn app:app", "python"},
		{"/usr/local/bin/python app.py", "/usr/local/bin/python"},
		{"./start.sh", "python"},
		{"", "python"},
	} {
		if got := PythonFor(tc.start); got != tc.want {
			t.Errorf("PythonFor(%q) = %q, want %q", tc.start, got, tc.want)
		}
	}
}
