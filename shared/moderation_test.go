package shared_test

import (
	"errors"
	"strings"
	"testing"

	"livechat/shared"
)

func TestCheckReason(t *testing.T) {
	for _, tt := range []struct {
		in       string
		required bool
		ok       bool
	}{
		{"spam", true, true},
		{"line one\nline two\twith a tab", true, true},
		{"", false, true},
		{"", true, false},
		{" \n\u200b", true, false}, // blank: white space and an invisible character
		{strings.Repeat("é", shared.MaxReasonChars), true, true},
		{strings.Repeat("é", shared.MaxReasonChars+1), false, false},
		{"bell\u0007", false, false},
		{"bad\xffutf8", false, false},
	} {
		err := shared.CheckReason(tt.in, tt.required)
		if (err == nil) != tt.ok {
			t.Errorf("CheckReason(%q, %v) = %v, want ok %v", tt.in, tt.required, err, tt.ok)
		}
		if err != nil && !errors.Is(err, shared.ErrInvalidRequest) {
			t.Errorf("CheckReason(%q) error %v, want invalid_request", tt.in, err)
		}
	}
}

func TestCheckSecondsAndAuditLimit(t *testing.T) {
	for _, tt := range []struct {
		seconds int
		ok      bool
	}{{0, true}, {1, true}, {shared.MaxSanctionSeconds, true}, {-1, false}, {shared.MaxSanctionSeconds + 1, false}} {
		if err := shared.CheckSeconds(tt.seconds); (err == nil) != tt.ok || err != nil && !errors.Is(err, shared.ErrInvalidRequest) {
			t.Errorf("CheckSeconds(%d) = %v, want ok %v", tt.seconds, err, tt.ok)
		}
	}
	if n, err := shared.AuditLimit(nil); n != shared.DefaultAuditPage || err != nil {
		t.Errorf("AuditLimit(nil) = %d, %v", n, err)
	}
	for _, n := range []int{0, -1, shared.MaxAuditPage + 1} {
		if _, err := shared.AuditLimit(&n); !errors.Is(err, shared.ErrInvalidRequest) {
			t.Errorf("AuditLimit(%d) = %v, want invalid_request", n, err)
		}
	}
	if n, err := shared.AuditLimit(new(shared.MaxAuditPage)); n != shared.MaxAuditPage || err != nil {
		t.Errorf("AuditLimit(max) = %d, %v", n, err)
	}
}
