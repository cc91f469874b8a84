package service

import (
	"context"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Backdated returns the service acting as of at: every transaction its use
// cases begin carries at as its clock, so what they write (the record, its
// history, its audit event) is dated then, and the policy decides as of
// then. The demo needs it to build, through the use cases, cases referred
// months before the day it is built; nothing a person does is backdated.
// The copy shares the database's connections. Errors: EINVALID for a time
// after the clock's reading (a record cannot be dated in the future).
func (s *Service) Backdated(at time.Time) (*Service, error) {
	at = at.UTC().Truncate(time.Microsecond)
	if at.After(s.DB.Now()) {
		return nil, drive.Errorf(drive.EINVALID, "a record cannot be dated in the future")
	}
	c := *s
	c.DB = s.DB.WithClock(func() time.Time { return at })
	return &c, nil
}

// Totals counts the perpetrator cases and the victim-survivors' cases at
// the given sites, for `drive demo` to say what it made. Counts of
// victim-survivors are not for perpetrator-side readers, so only a trusted
// entry point may ask. Errors: ENOTFOUND for another actor.
func (s *Service) Totals(ctx context.Context, a Actor, siteIDs []int64) (cases, victims int, err error) {
	if err := trusted(a, "site"); err != nil {
		return 0, 0, err
	}
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if _, cases, err = tx.Cases(ctx, store.CaseFilter{SiteIDs: siteIDs, Limit: 1, CountAll: true}, drive.DateOf(tx.Now)); err != nil {
			return err
		}
		_, victims, err = tx.VictimCases(ctx, store.VictimFilter{SiteIDs: siteIDs, Limit: 1})
		return err
	})
	return cases, victims, err
}

// RecordNote keeps a note on a perpetrator's case that was written
// elsewhere, by n.CreatedBy, dated by the service's clock (Backdated for
// a note written earlier): the demo's notes, or notes brought over from
// another system. Whether its author could write it now does not matter
// (he may have moved on); the note is sealed and screened as AddNote's
// are, and audited as the entry point that brought it. Only a trusted
// entry point may ask. Errors: ENOTFOUND for another actor or no such
// case; EINVALID for an empty or too long note, or a correction of
// another case's note.
func (s *Service) RecordNote(ctx context.Context, a Actor, caseID int64, n *casework.Note) error {
	if err := trusted(a, "case"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return err
		}
		n.CaseID = c.ID
		if err := tx.CreateNote(ctx, n, func(id int64) (store.SealedValue, error) { return s.seal([]byte(n.Text), aadCaseNote(id)) }); err != nil {
			return err
		}
		if err := s.screen(ctx, tx, Actor{UserID: n.CreatedBy}, c, []heldRef{{victim.HeldNote, n.ID}}, n.Text); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordWrite, ActorID: a.UserID, ActorRole: actorRole(a, ""), RecordType: "case",
			RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: audit.Part(audit.PartNote)})
	})
}

// ActionSeed is the audit action of a Seed: synthetic records were
// written, as of past dates, by a trusted entry point.
const ActionSeed = "demo.seed"

// Seed runs fn in one transaction with a Seeder, for a named system
// actor (the demo generator) filling an empty database with synthetic
// records, and writes one audit event (ActionSeed, role "system") when fn
// has succeeded. If fn fails nothing it wrote is kept and nothing is
// audited. Errors: ENOTFOUND for an actor that is not a named system
// actor; whatever fn returns.
func (s *Service) Seed(ctx context.Context, a Actor, fn func(sd *Seeder) error) error {
	if err := trusted(a, "seed"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := fn(&Seeder{tx: tx}); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: ActionSeed, ActorRole: "system", Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}

// Seeder writes synthetic records straight into storage, as of past
// dates, for demonstrations, manual testing and benchmarks. It exists
// because no person's use case writes what a demonstration needs: staff
// with passwords known in advance, people and cases whose whole history
// is dated months ago, merges and victim-survivors' cases laid down as
// if years of work had happened. It asks no policy and writes no audit
// event per record (Seed writes one for the whole), so it is reached only
// through Seed, by a named system actor, and never from HTTP. Protected
// values are not written here: what must be sealed goes through the use
// cases that seal it (Backdated, RecordNote, the victim-survivor
// methods). A Seeder is valid only inside the function given to Seed.
type Seeder struct {
	tx *store.Tx
}

// Now is the transaction's clock: the time records are stamped with,
// unless backdated.
func (sd *Seeder) Now() time.Time { return sd.tx.Now }

// Backdated returns a Seeder writing in the same transaction with its
// clock at at, so what it writes is dated then. Errors: EINVALID for a
// time after the clock's reading.
func (sd *Seeder) Backdated(at time.Time) (*Seeder, error) {
	tx, err := sd.tx.Backdated(at)
	if err != nil {
		return nil, err
	}
	return &Seeder{tx: tx}, nil
}

// UserCount counts the accounts, so a seed can refuse a database that is
// already in use.
func (sd *Seeder) UserCount(ctx context.Context) (int, error) { return sd.tx.CountUsers(ctx) }

// CreateSite adds a site, setting its id.
func (sd *Seeder) CreateSite(ctx context.Context, site *account.Site) error {
	return sd.tx.CreateSite(ctx, site)
}

// CreateOrganisation adds an organisation, setting its id.
func (sd *Seeder) CreateOrganisation(ctx context.Context, o *account.Organisation) error {
	return sd.tx.CreateOrganisation(ctx, o)
}

// CreateUser adds an account with the password hash, second factor and
// roles it carries, setting its id.
func (sd *Seeder) CreateUser(ctx context.Context, u *account.User) error {
	return sd.tx.CreateUser(ctx, u)
}

// Users lists every account with its roles.
func (sd *Seeder) Users(ctx context.Context) ([]*account.User, error) { return sd.tx.Users(ctx) }

// Organisations lists every organisation.
func (sd *Seeder) Organisations(ctx context.Context) ([]account.Organisation, error) {
	return sd.tx.Organisations(ctx)
}

// AddProgrammes gives a site the standard programmes (Drive and Restart)
// with their catalogues.
func (sd *Seeder) AddProgrammes(ctx context.Context, siteID int64) error {
	return sd.tx.SeedProgrammes(ctx, siteID)
}

// Programme is the site's programme with the given code. Errors:
// ENOTFOUND for none.
func (sd *Seeder) Programme(ctx context.Context, siteID int64, code string) (*programme.Programme, error) {
	return sd.tx.SiteProgramme(ctx, siteID, code)
}

// CreatePerson adds a perpetrator's person record, setting its id.
func (sd *Seeder) CreatePerson(ctx context.Context, p *people.Person) error {
	return sd.tx.CreatePerson(ctx, p)
}

// Person reads a person record. Errors: ENOTFOUND for none.
func (sd *Seeder) Person(ctx context.Context, id int64) (*people.Person, error) {
	return sd.tx.Person(ctx, id)
}

// MergePeople merges the person mergeID into keepID, as a duplicate
// record found later is.
func (sd *Seeder) MergePeople(ctx context.Context, keepID, mergeID int64) error {
	return sd.tx.MergePeople(ctx, keepID, mergeID)
}

// CreateCase adds a perpetrator's case as referred, setting its id.
func (sd *Seeder) CreateCase(ctx context.Context, c *casework.Case) error {
	return sd.tx.CreateCase(ctx, c)
}

// UpdateCase stores a case's state, as the domain's moves left it.
func (sd *Seeder) UpdateCase(ctx context.Context, c *casework.Case) error {
	return sd.tx.UpdateCase(ctx, c)
}

// AddHistory adds an entry, dated h.At, to a case's history.
func (sd *Seeder) AddHistory(ctx context.Context, h *casework.HistoryEntry) error {
	return sd.tx.AddHistory(ctx, h)
}

// CreateAction adds an action to a case's plan.
func (sd *Seeder) CreateAction(ctx context.Context, a *casework.Action) error {
	return sd.tx.CreateAction(ctx, a)
}

// UpdateAction stores an action's status and outcome.
func (sd *Seeder) UpdateAction(ctx context.Context, a *casework.Action) error {
	return sd.tx.UpdateAction(ctx, a)
}

// CreateContact logs a contact on a case.
func (sd *Seeder) CreateContact(ctx context.Context, c *casework.Contact) error {
	return sd.tx.CreateContact(ctx, c)
}

// CreateReview records a case review.
func (sd *Seeder) CreateReview(ctx context.Context, r *casework.Review) error {
	return sd.tx.CreateReview(ctx, r)
}

// AllCases reads back every perpetrator case at every site, in referral
// order, with what lists show of it as of today.
func (sd *Seeder) AllCases(ctx context.Context, today drive.Date) ([]*casework.Case, error) {
	var out []*casework.Case
	f := store.CaseFilter{AllSites: true, Sort: "referred", Limit: 1000}
	for {
		page, err := sd.tx.CasesPage(ctx, f, today)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Rows {
			c := r.Case
			out = append(out, &c)
		}
		if !page.More {
			return out, nil
		}
		next := store.CaseCursorAt(f.Sort, page.Rows[len(page.Rows)-1])
		f.After = &next
	}
}

// CreateVictimCase adds a victim-survivor's case, without her
// compartment (SetCompartment seals that), setting its id.
func (sd *Seeder) CreateVictimCase(ctx context.Context, v *victim.Case) error {
	return sd.tx.CreateVictimCase(ctx, v)
}

// UpdateVictimCase stores a victim-survivor's case, as when it closes.
func (sd *Seeder) UpdateVictimCase(ctx context.Context, v *victim.Case) error {
	return sd.tx.UpdateVictimCase(ctx, v)
}

// LinkVictim links a victim-survivor's case to a perpetrator's case.
func (sd *Seeder) LinkVictim(ctx context.Context, l victim.Link) error {
	return sd.tx.LinkVictim(ctx, l)
}

// AddMARACDate records a further MARAC hearing on a link.
func (sd *Seeder) AddMARACDate(ctx context.Context, victimCaseID, perpetratorCaseID int64, heard drive.Date) error {
	return sd.tx.AddMARACDate(ctx, victimCaseID, perpetratorCaseID, heard)
}

// CreateChild records a child on a victim-survivor's case.
func (sd *Seeder) CreateChild(ctx context.Context, ch *victim.Child) error {
	return sd.tx.CreateChild(ctx, ch)
}

// SaveBehaviour records a behaviour assessment at a time point.
func (sd *Seeder) SaveBehaviour(ctx context.Context, b *risk.BehaviourAssessment) error {
	return sd.tx.SaveBehaviour(ctx, b)
}

// IDVAContactKinds are the kinds of IDVA contact AddVictimEntry accepts.
func IDVAContactKinds() []string { return store.IDVAContactKinds() }
