package requirements

import (
	"reflect"
	"testing"
)

func TestApplyPins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		pins     []string
		want     string
	}{
		{"replace", "numpy==2.4.0\ngunicorn\n", []string{"numpy==1.26.4"}, "numpy==1.26.4\ngunicorn\n"},
		{"PEP 503 names match", "PyYAML>=5\nZope.Interface\n", []string{"pyyaml==6.0.1", "zope_interface==6"}, "pyyaml==6.0.1\nzope_interface==6\n"},
		{"extras and markers", "numpy[dev] >= 1.2 ; python_version < '3.12'  # x\n", []string{"numpy==1.26.4"}, "numpy==1.26.4\n"},
		{"append", "gunicorn\n", []string{"numpy==1.26.4"}, "gunicorn\nnumpy==1.26.4\n"},
		{"duplicates collapse", "numpy\nflask\nnumpy>1\n", []string{"numpy==1"}, "numpy==1\nflask\n"},
		{"options and comments stay", "-r base.txt\n# numpy pinned below\n--hash=sha256:x\nnumpy\n", []string{"numpy==1"}, "-r base.txt\n# numpy pinned below\n--hash=sha256:x\nnumpy==1\n"},
		{"prefix is not a match", "numpy-financial\n", []string{"numpy==1"}, "numpy-financial\nnumpy==1\n"},
		{"empty file", "", []string{"numpy==1"}, "numpy==1\n"},
	}
	for _, tt := range tests {
		if got := ApplyPins(tt.in, tt.pins); got != tt.want {
			t.Errorf("%s: ApplyPins(%q, %q) = %q, want %q", tt.name, tt.in, tt.pins, got, tt.want)
		}
	}
}

func TestRequirementFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cmds []string
		want []string
	}{
		{[]string{"python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt"}, []string{"requirements.txt"}},
		{[]string{"cd backend && pip install --break-system-packages -r requirements.txt"}, []string{"backend/requirements.txt"}},
		{[]string{"pip install -r backend/requirements.txt -r dev.txt"}, []string{"backend/requirements.txt", "dev.txt"}},
		{[]string{"pip install --requirement=reqs/prod.txt"}, []string{"reqs/prod.txt"}},
		{[]string{"cd /app/api; pip3 install -r ../requirements.txt"}, []string{"requirements.txt"}},
		{[]string{"cd backend", "pip install -r requirements.txt"}, []string{"requirements.txt"}}, // every RUN starts in /app again
		{[]string{"pip install -r /tmp/r.txt", "echo -r x.txt"}, nil},
		{[]string{"pip install 'flask>=2' && echo '&& cd x'"}, nil},
	}
	for _, tt := range tests {
		if got := Files(tt.cmds); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Files(%q) = %q, want %q", tt.cmds, got, tt.want)
		}
	}
}
