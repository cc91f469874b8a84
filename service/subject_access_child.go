package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// A child's pack (docs/data-protection.md): the child's record (first
// name, date of birth, whose child, children's social care status) and
// every note or contact that names the child: her IDVA's notes and
// contacts on the victim-survivor's case and the case manager's notes on
// the perpetrator case the child is linked to. Whoever asks for it (a
// parent with parental responsibility may, and that may be the
// perpetrator), everyone else is a third party: the victim-survivor (her
// name, and anything the barrier's screen finds of her compartment,
// which holds the child's school), the perpetrators linked to her, the
// other victim-survivors of those perpetrators and every other child. A
// text that names or places any of them is withheld whole. Notes of the
// perpetrator side are risk management and withheld under the
// crime-prevention exemption unless released on review. The child's
// school is never shown: it is part of her compartment and says where
// she can be found.

// assembleChild builds the pack for r's child.
func (s *Service) assembleChild(ctx context.Context, tx *store.Tx, r *subjectaccess.Request) (*subjectaccess.Pack, error) {
	ch, err := tx.Child(ctx, r.SubjectID)
	if err != nil {
		return nil, err
	}
	mother, err := tx.VictimCase(ctx, ch.VictimCaseID)
	if err != nil {
		return nil, err
	}
	pack := &subjectaccess.Pack{RequestID: r.ID, Kind: subjectaccess.Child, Note: subjectaccess.PackNote, Generated: drive.DateOf(tx.Now).String()}
	pack.Person = [][2]string{{"First name", ch.GivenName}}
	if !ch.DateOfBirth.IsZero() {
		pack.Person = append(pack.Person, [2]string{"Date of birth", ch.DateOfBirth.Display()})
	}

	// The third parties: the victim-survivor, every perpetrator she is
	// linked to, their other victim-survivors, and every child of any of
	// them but this one.
	links, err := tx.VictimLinks(ctx, mother.ID)
	if err != nil {
		return nil, err
	}
	var sought []victim.Sought
	names := []string{mother.GivenName, mother.FamilyName}
	seenVictim := map[int64]bool{}
	addVictim := func(so victim.Sought) error {
		if seenVictim[so.VictimCaseID] {
			return nil
		}
		seenVictim[so.VictimCaseID] = true
		sought = append(sought, so)
		names = append(names, so.GivenName, so.FamilyName)
		kids, err := tx.Children(ctx, so.VictimCaseID)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if k.ID != ch.ID {
				names = append(names, k.GivenName)
			}
		}
		return nil
	}
	for _, l := range links {
		c, err := tx.Case(ctx, l.PerpetratorCase)
		if err != nil {
			return nil, err
		}
		p, err := tx.Person(ctx, c.PersonID)
		if err != nil {
			return nil, err
		}
		names = append(names, p.GivenName, p.FamilyName)
		names = append(names, p.Aliases...)
		so, err := s.sought(ctx, tx, l.PerpetratorCase)
		if err != nil {
			return nil, err
		}
		for _, v := range so {
			if err := addVictim(v); err != nil {
				return nil, err
			}
		}
	}
	if !seenVictim[mother.ID] {
		// Not linked to any perpetrator case: her compartment is still
		// screened.
		so := victim.Sought{VictimCaseID: mother.ID, GivenName: mother.GivenName, FamilyName: mother.FamilyName}
		if err := addVictim(so); err != nil {
			return nil, err
		}
	}
	// The child's own first name never withholds a text, even where a
	// third party shares it.
	var thirdNames []string
	for _, n := range names {
		if !strings.EqualFold(n, ch.GivenName) {
			thirdNames = append(thirdNames, n)
		}
	}
	screen := func(it subjectaccess.Item) subjectaccess.Item {
		text := it.Title + "\n" + it.Text
		if len(victim.Reveals(text, sought)) > 0 || subjectaccess.MentionsAny(text, thirdNames) {
			it.Text, it.Withheld = "", subjectaccess.WithheldThirdParty
		}
		return it
	}
	names1 := []string{ch.GivenName}

	whose := map[string]string{"both": "Child of both parents", "victim": "Child of the victim-survivor", "perpetrator": "Child of the perpetrator"}[ch.Relationship]
	record := subjectaccess.Section{Title: "Your record", Items: []subjectaccess.Item{{Key: "child:" + strconv.FormatInt(ch.ID, 10), Kind: "child",
		On: ch.DateOfBirth.String(), Title: "Your record",
		Text: fmt.Sprintf("%s. Children's social care: %s.", whose, strings.ReplaceAll(ch.SocialCare, "_", " "))}}}

	idva := subjectaccess.Section{Title: "Notes and contacts that name you"}
	for _, kind := range []string{"note", "contact"} {
		var es []store.SealedEntry
		if kind == "note" {
			es, err = tx.VictimNotes(ctx, mother.ID)
		} else {
			es, err = tx.IDVAContacts(ctx, mother.ID)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			plain, err := s.open(e.Body, aadVictim(mother.ID, kind))
			if err != nil {
				return nil, err
			}
			if !subjectaccess.MentionsAny(string(plain), names1) {
				continue
			}
			idva.Items = append(idva.Items, screen(subjectaccess.Item{Key: "victim_" + kind + ":" + strconv.FormatInt(e.ID, 10), Kind: "victim_" + kind,
				On: e.On.String(), Title: "An IDVA's " + kind, Text: string(plain)}))
		}
	}

	risky := subjectaccess.Section{Title: "Notes that name you by those managing risk"}
	if ch.PerpetratorCase != 0 {
		notes, err := tx.Notes(ctx, ch.PerpetratorCase)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			text := n.Text
			if !n.Body.IsZero() {
				plain, err := s.open(n.Body, aadCaseNote(n.ID))
				if err != nil {
					return nil, err
				}
				text = string(plain)
			}
			if !subjectaccess.MentionsAny(text, names1) {
				continue
			}
			it := screen(subjectaccess.Item{Key: "risk_note:" + strconv.FormatInt(n.ID, 10), Kind: "risk_note",
				On: drive.DateOf(n.CreatedAt).String(), Title: "A case manager's note", Text: text})
			risky.Items = append(risky.Items, subjectaccess.Exempt(it))
		}
	}

	seen := subjectaccess.Section{Title: "Who has seen or changed your records"}
	events, err := tx.AuditEventsFor(ctx, "child", []string{strconv.FormatInt(ch.ID, 10)})
	if err != nil {
		return nil, err
	}
	seen.Items = accessItems(events)
	pack.Sections = []subjectaccess.Section{record, idva, risky, seen}
	return pack, nil
}
