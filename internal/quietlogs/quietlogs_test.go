package quietlogs

import (
	"reflect"
	"testing"
)

// TestUnlessLogging: the provider's log output is turned off only when the
// user asked for no log at all.
func TestUnlessLogging(t *testing.T) {
	cases := map[string]struct {
		environ []string
		quiet   bool
	}{
		"no log variables":             {[]string{"HOME=/root", "PATH=/bin"}, true},
		"empty log variables":          {[]string{"TF_LOG=", "TF_LOG_SDK="}, true},
		"TF_LOG":                       {[]string{"TF_LOG=debug"}, false},
		"TF_LOG_PROVIDER only":         {[]string{"TF_LOG_PROVIDER=trace"}, false},
		"the provider's own variable":  {[]string{"TF_LOG_PROVIDER_CLOUDCONNECTOR=info"}, false},
		"terraform-plugin-testing log": {[]string{"TF_ACC_LOG=debug"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			set := map[string]string{}
			UnlessLogging(tc.environ, func(k, v string) error { set[k] = v; return nil })
			if !tc.quiet {
				if len(set) != 0 {
					t.Fatalf("changed %v although logging was asked for", set)
				}
				return
			}
			want := map[string]string{}
			for _, k := range Levels {
				want[k] = "off"
			}
			if !reflect.DeepEqual(set, want) {
				t.Fatalf("set %v, want %v", set, want)
			}
		})
	}
}
