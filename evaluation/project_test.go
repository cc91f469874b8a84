package evaluation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

var today = drive.MustDate("2026-03-10")

func validProject() Project {
	return Project{
		Name:             "drive-trial-2026",
		EvaluatorOrgID:   7,
		AgreementRef:     "DSA-2026-014",
		AgreementExpires: drive.MustDate("2027-03-31"),
		SiteIDs:          []int64{1, 2},
		From:             drive.MustDate("2025-04-01"),
		To:               drive.MustDate("2026-03-31"),
		Tables:           []string{"cases", "perpetrators", "police_incidents"},
		State:            StateDraft,
		CreatedBy:        11,
	}
}

func TestProjectValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Project)
		field string // "" means valid
	}{
		{"valid", func(*Project) {}, ""},
		{"all tables", func(p *Project) { p.Tables = Tables() }, ""},
		{"k at minimum", func(p *Project) { p.K = MinK }, ""},
		{"name 3 chars", func(p *Project) { p.Name = "abc" }, ""},
		{"name 64 chars", func(p *Project) { p.Name = strings.Repeat("a", 64) }, ""},
		{"expires today", func(p *Project) { p.AgreementExpires = today }, ""},
		{"one-day period", func(p *Project) { p.To = p.From }, ""},
		{"name short", func(p *Project) { p.Name = "ab" }, "name"},
		{"name long", func(p *Project) { p.Name = strings.Repeat("a", 65) }, "name"},
		{"name capitals", func(p *Project) { p.Name = "Drive-trial" }, "name"},
		{"name space", func(p *Project) { p.Name = "drive trial" }, "name"},
		{"name leading hyphen", func(p *Project) { p.Name = "-drive" }, "name"},
		{"name double hyphen", func(p *Project) { p.Name = "drive--trial" }, "name"},
		{"name underscore", func(p *Project) { p.Name = "drive_trial" }, "name"},
		{"no evaluator", func(p *Project) { p.EvaluatorOrgID = 0 }, "evaluator_org_id"},
		{"no agreement", func(p *Project) { p.AgreementRef = "  " }, "agreement_ref"},
		{"agreement ref long", func(p *Project) { p.AgreementRef = strings.Repeat("x", 101) }, "agreement_ref"},
		{"no expiry", func(p *Project) { p.AgreementExpires = drive.Date{} }, "agreement_expires"},
		{"expired", func(p *Project) { p.AgreementExpires = today.AddDays(-1) }, "agreement_expires"},
		{"no sites", func(p *Project) { p.SiteIDs = nil }, "site_ids"},
		{"site twice", func(p *Project) { p.SiteIDs = []int64{1, 1} }, "site_ids"},
		{"site zero", func(p *Project) { p.SiteIDs = []int64{0} }, "site_ids"},
		{"no from", func(p *Project) { p.From = drive.Date{} }, "from"},
		{"no to", func(p *Project) { p.To = drive.Date{} }, "to"},
		{"period backwards", func(p *Project) { p.To = p.From.AddDays(-1) }, "to"},
		{"no tables", func(p *Project) { p.Tables = nil }, "tables"},
		{"unknown table", func(p *Project) { p.Tables = []string{"cases", "notes"} }, "tables"},
		{"compartment never granted", func(p *Project) { p.Tables = []string{"victim_compartments"} }, "tables"},
		{"table twice", func(p *Project) { p.Tables = []string{"cases", "cases"} }, "tables"},
		{"k too small", func(p *Project) { p.K = 2 }, "k"},
		{"k negative", func(p *Project) { p.K = -5 }, "k"},
		{"unknown state", func(p *Project) { p.State = "live" }, "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProject()
			tt.edit(&p)
			err := p.Validate(today)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var e *drive.Error
			if !errors.As(err, &e) || e.Code != drive.EINVALID {
				t.Fatalf("Validate = %v, want EINVALID", err)
			}
			if _, ok := e.Fields[tt.field]; !ok || len(e.Fields) != 1 {
				t.Errorf("fields = %v, want only %q", e.Fields, tt.field)
			}
		})
	}
}

func TestProjectThreshold(t *testing.T) {
	for _, tt := range []struct{ k, want int }{{0, DefaultK}, {3, 3}, {10, 10}} {
		p := Project{K: tt.k}
		if got := p.Threshold(); got != tt.want {
			t.Errorf("Threshold with K=%d = %d, want %d", tt.k, got, tt.want)
		}
	}
}

func TestProjectApprove(t *testing.T) {
	now := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		edit    func(*Project)
		by      int64
		code    string
		field   string
		nowTime time.Time
	}{
		{"dpo approves", func(*Project) {}, 12, "", "", now},
		{"self-approval refused", func(*Project) {}, 11, drive.EINVALID, "approved_by", now},
		{"no approver", func(*Project) {}, 0, drive.EINVALID, "approved_by", now},
		{"invalid project", func(p *Project) { p.Tables = nil }, 12, drive.EINVALID, "tables", now},
		{"agreement expired by then", func(*Project) {}, 12, drive.EINVALID, "agreement_expires", time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)},
		{"already approved", func(p *Project) { p.State = StateApproved }, 12, drive.ECONFLICT, "", now},
		{"withdrawn", func(p *Project) { p.State = StateWithdrawn }, 12, drive.ECONFLICT, "", now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProject()
			tt.edit(&p)
			before := p
			err := p.Approve(tt.by, tt.nowTime, p.CreatedBy)
			if got := drive.ErrorCode(err); got != tt.code {
				t.Fatalf("Approve = %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				var e *drive.Error
				errors.As(err, &e)
				if tt.field != "" && e.Fields[tt.field] == "" {
					t.Errorf("fields = %v, want %q", e.Fields, tt.field)
				}
				if p.State != before.State || p.ApprovedBy != 0 || !p.ApprovedAt.IsZero() {
					t.Errorf("refused approval changed the project: %+v", p)
				}
				return
			}
			if p.State != StateApproved || p.ApprovedBy != tt.by || !p.ApprovedAt.Equal(tt.nowTime) {
				t.Errorf("after Approve: state %s by %d at %v", p.State, p.ApprovedBy, p.ApprovedAt)
			}
		})
	}
}

func TestProjectWithdraw(t *testing.T) {
	for _, tt := range []struct {
		from State
		code string
	}{
		{StateDraft, ""}, {StateApproved, ""}, {StateWithdrawn, drive.ECONFLICT}, {StateExpired, drive.ECONFLICT},
	} {
		p := validProject()
		p.State = tt.from
		err := p.Withdraw()
		if drive.ErrorCode(err) != tt.code {
			t.Errorf("Withdraw from %s = %v, want %q", tt.from, err, tt.code)
		}
		if tt.code == "" && p.State != StateWithdrawn {
			t.Errorf("Withdraw from %s left state %s", tt.from, p.State)
		}
	}
}

func TestProjectUsable(t *testing.T) {
	expires := drive.MustDate("2027-03-31")
	tests := []struct {
		state State
		on    drive.Date
		want  bool
	}{
		{StateApproved, today, true},
		{StateApproved, expires, true},
		{StateApproved, expires.AddDays(1), false},
		{StateDraft, today, false},
		{StateWithdrawn, today, false},
		{StateExpired, today, false},
	}
	for _, tt := range tests {
		p := validProject()
		p.State = tt.state
		if got := p.Usable(tt.on); got != tt.want {
			t.Errorf("Usable(%s) in state %s = %v, want %v", tt.on, tt.state, got, tt.want)
		}
	}
}
