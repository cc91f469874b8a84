package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

// A victim-survivor's pack (docs/data-protection.md): her IDVA case, her
// compartment and safety plan, her risk and behaviour assessments, her
// IDVA's notes and contacts, and who has read them. Everything of hers is
// hers to see; the third parties are the other victim-survivors of the
// perpetrators she is linked to (a serial perpetrator has several) and
// their children, and a text that may reveal one of them is withheld
// whole. The perpetrator side's notes about her (his case manager's notes
// that name or place her, or that the barrier held back for her IDVA) are
// risk management: they are withheld under the crime-prevention exemption
// unless the data protection officer releases one with a recorded reason.

// assembleVictim builds the pack for r's victim-survivor.
func (s *Service) assembleVictim(ctx context.Context, tx *store.Tx, r *subjectaccess.Request) (*subjectaccess.Pack, error) {
	v, err := tx.VictimCase(ctx, r.SubjectID)
	if err != nil {
		return nil, err
	}
	pack := &subjectaccess.Pack{RequestID: r.ID, Kind: subjectaccess.Victim, Note: subjectaccess.PackNote, Generated: drive.DateOf(tx.Now).String()}
	pack.Person = [][2]string{{"Name", v.Name()}}
	pack.Person = append(pack.Person, aboutRows(v.DateOfBirth, v.Gender, v.Ethnicity, v.SexualOrientation, v.Disability)...)

	links, err := tx.VictimLinks(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	// The third parties: every other victim-survivor of the perpetrators
	// she is linked to, and their children.
	var others []victim.Sought
	var names []string
	seenVictim := map[int64]bool{v.ID: true}
	mine := victim.Sought{VictimCaseID: v.ID, GivenName: v.GivenName, FamilyName: v.FamilyName}
	for _, l := range links {
		so, err := s.sought(ctx, tx, l.PerpetratorCase)
		if err != nil {
			return nil, err
		}
		for _, o := range so {
			if o.VictimCaseID == v.ID {
				mine = o
				continue
			}
			if seenVictim[o.VictimCaseID] {
				continue
			}
			seenVictim[o.VictimCaseID] = true
			others = append(others, o)
			names = append(names, o.GivenName, o.FamilyName)
			kids, err := tx.Children(ctx, o.VictimCaseID)
			if err != nil {
				return nil, err
			}
			for _, k := range kids {
				names = append(names, k.GivenName)
			}
		}
	}
	// Her own name and her children's are never a reason to withhold a
	// text from her, even when another person shares one.
	ownKids, err := tx.Children(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{strings.ToLower(v.GivenName): true, strings.ToLower(v.FamilyName): true}
	for _, k := range ownKids {
		own[strings.ToLower(k.GivenName)] = true
	}
	var thirdNames []string
	for _, n := range names {
		if !own[strings.ToLower(n)] {
			thirdNames = append(thirdNames, n)
		}
	}
	screen := func(it subjectaccess.Item) subjectaccess.Item {
		text := it.Title + "\n" + it.Text
		if len(victim.Reveals(text, others)) > 0 || subjectaccess.MentionsAny(text, thirdNames) {
			it.Text, it.Withheld = "", subjectaccess.WithheldThirdParty
		}
		return it
	}
	vid := strconv.FormatInt(v.ID, 10)

	// Her case and its links, without naming the perpetrator: the pack
	// is about her.
	var b strings.Builder
	fmt.Fprintf(&b, "Opened on %s.", v.OpenedOn)
	if v.Open {
		b.WriteString(" Open.")
	} else {
		fmt.Fprintf(&b, " Closed on %s.", v.ClosedOn)
	}
	for _, l := range links {
		fmt.Fprintf(&b, "\nLinked to the case of the person who harmed you (%s", l.Relationship.Label())
		if l.LivingTogether {
			b.WriteString(", living together")
		}
		b.WriteString(").")
		for _, d := range l.MARACDates {
			fmt.Fprintf(&b, " Heard at MARAC on %s.", d)
		}
	}
	site, err := tx.Site(ctx, v.SiteID)
	if err != nil {
		return nil, err
	}
	caseSec := subjectaccess.Section{Title: "Your case", Items: []subjectaccess.Item{{Key: "victim:" + vid, Kind: "victim_case",
		On: v.OpenedOn.String(), Title: "Your case with the IDVA service at " + site.Name, Text: b.String()}}}

	// Where she lives and how to reach her: hers, shown to her alone.
	contact := subjectaccess.Section{Title: "Where you live and how to reach you"}
	c := mine.Compartment
	add := func(key, title, text string) {
		if strings.TrimSpace(text) != "" {
			contact.Items = append(contact.Items, screen(subjectaccess.Item{Key: "compartment:" + key, Kind: "compartment", Title: title, Text: text}))
		}
	}
	for i, ad := range c.Addresses {
		parts := []string{}
		for _, p := range []string{ad.Line1, ad.Line2, ad.Town, ad.Postcode} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		title := "Address"
		if ad.Current {
			title = "Current address"
		}
		text := strings.Join(parts, ", ")
		if ad.Note != "" {
			text += ". " + ad.Note
		}
		add("address:"+strconv.Itoa(i+1), title, text)
	}
	for i, p := range c.Phones {
		add("phone:"+strconv.Itoa(i+1), "Phone", p)
	}
	for i, e := range c.Emails {
		add("email:"+strconv.Itoa(i+1), "E-mail", e)
	}
	add("safe_contact", "Safe times and ways to contact you", c.SafeContact)
	add("refuge", "Refuge", c.Refuge)
	add("workplace", "Workplace", c.Workplace)
	add("gp", "GP", c.GP)
	for i, sc := range c.Schools {
		add("school:"+strconv.Itoa(i+1), "School", sc)
	}

	plan := subjectaccess.Section{Title: "Your safety plan"}
	if mine.SafetyPlan != "" {
		plan.Items = append(plan.Items, screen(subjectaccess.Item{Key: "safety_plan:" + vid, Kind: "safety_plan", Title: "Safety plan", Text: mine.SafetyPlan}))
	}

	assessments, err := s.victimAssessmentItems(ctx, tx, v.ID)
	if err != nil {
		return nil, err
	}
	for i := range assessments.Items {
		assessments.Items[i] = screen(assessments.Items[i])
	}

	entries := subjectaccess.Section{Title: "Notes and contacts about you"}
	for _, kind := range []string{"note", "contact"} {
		var es []store.SealedEntry
		if kind == "note" {
			es, err = tx.VictimNotes(ctx, v.ID)
		} else {
			es, err = tx.IDVAContacts(ctx, v.ID)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			plain, err := s.open(e.Body, aadVictim(v.ID, kind))
			if err != nil {
				return nil, err
			}
			title := "Note by your IDVA"
			if kind == "contact" {
				title = "Contact with your IDVA (" + e.Kind + ")"
			}
			if e.Amends != 0 {
				title += ", correcting an earlier one"
			}
			entries.Items = append(entries.Items, screen(subjectaccess.Item{Key: "victim_" + kind + ":" + strconv.FormatInt(e.ID, 10), Kind: "victim_" + kind,
				On: e.On.String(), Title: title, Text: string(plain)}))
		}
	}

	// Her own case's appointments and documents: hers to see, screened
	// for the other victim-survivors as every text of hers is.
	appointments := subjectaccess.Section{Title: "Your appointments"}
	aps, err := tx.VictimAppointments(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	var appointmentKeys, documentKeys []string
	for _, ap := range aps {
		appointmentKeys = append(appointmentKeys, strconv.FormatInt(ap.ID, 10))
		appointments.Items = append(appointments.Items, screen(appointmentItem(ap, "Appointment with the IDVA service")))
	}
	documents := subjectaccess.Section{Title: "Documents on your case"}
	docs, err := tx.VictimDocuments(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	items, err := documentItems(ctx, tx, docs, "Document on your case")
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		documentKeys = append(documentKeys, strconv.FormatInt(docs[i].ID, 10))
		documents.Items = append(documents.Items, screen(it))
	}

	risky, err := s.riskManagementItems(ctx, tx, v, mine, links, screen)
	if err != nil {
		return nil, err
	}

	seen := subjectaccess.Section{Title: "Who has seen or changed your records"}
	events, err := tx.AuditEventsFor(ctx, "victim", []string{vid})
	if err != nil {
		return nil, err
	}
	for _, r := range []struct {
		recordType string
		ids        []string
	}{{"appointment", appointmentKeys}, {"document", documentKeys}} {
		more, err := tx.AuditEventsFor(ctx, r.recordType, r.ids)
		if err != nil {
			return nil, err
		}
		events = append(events, more...)
	}
	seen.Items = accessItems(events)
	pack.Sections = []subjectaccess.Section{caseSec, contact, plan, assessments, entries, appointments, documents, risky, seen}
	return pack, nil
}

// victimAssessmentItems lists her DASH risk assessments (score, level,
// judgement and the comments recorded with them) and her behaviour
// assessments.
func (s *Service) victimAssessmentItems(ctx context.Context, tx *store.Tx, victimID int64) (subjectaccess.Section, error) {
	sec := subjectaccess.Section{Title: "Risk assessments"}
	stored, err := tx.DASHAssessments(ctx, victimID)
	if err != nil {
		return sec, err
	}
	q := risk.DASH2009()
	for _, sd := range stored {
		var b strings.Builder
		fmt.Fprintf(&b, "Score %d of %d: %s.", sd.Result.Score, sd.Result.Questions, sd.Result.EffectiveLevel.Label)
		if sd.Assessment.JudgementReason != "" {
			fmt.Fprintf(&b, " Professional judgement: %s", sd.Assessment.JudgementReason)
		}
		if !sd.Comments.IsZero() && len(sd.Comments.Data) > 0 {
			plain, err := s.open(sd.Comments, aadVictim(victimID, "dash"))
			if err != nil {
				return sec, err
			}
			var comments map[string]string
			if err := json.Unmarshal(plain, &comments); err == nil {
				for _, qc := range q.LabelComments(comments) {
					fmt.Fprintf(&b, "\n%s (%s): %s", qc.Label, qc.Question, qc.Comment)
				}
			}
		}
		sec.Items = append(sec.Items, subjectaccess.Item{Key: "dash:" + strconv.FormatInt(sd.Assessment.ID, 10), Kind: "dash",
			On: sd.Assessment.AssessedOn.String(), Title: "DASH risk assessment", Text: b.String()})
	}
	bs, err := tx.Behaviours(ctx, victimID)
	if err != nil {
		return sec, err
	}
	for _, ba := range bs {
		text := fmt.Sprintf("Physical abuse: %s. Sexual abuse: %s. Harassment or stalking: %s. Jealous or controlling behaviour: %s.",
			ba.Physical.Label(), ba.Sexual.Label(), ba.Stalking.Label(), ba.Controlling.Label())
		if ba.RiskChange != "" {
			text += " Change in risk: " + strings.ReplaceAll(ba.RiskChange, "_", " ") + "."
		}
		sec.Items = append(sec.Items, subjectaccess.Item{Key: "behaviour:" + strconv.FormatInt(ba.ID, 10), Kind: "behaviour",
			On: ba.AssessedOn.String(), Title: "Behaviour assessment (" + ba.TimePoint + ")", Text: text})
	}
	return sec, nil
}

// riskManagementItems lists the perpetrator side's notes about her: on
// each perpetrator case she is linked to, every note the barrier held
// back for her IDVA and every note that names or places her. Each is
// withheld under the crime-prevention exemption (releasable on review)
// unless it would reveal another person, which is never released.
func (s *Service) riskManagementItems(ctx context.Context, tx *store.Tx, v *victim.Case, mine victim.Sought, links []victim.Link,
	screen func(subjectaccess.Item) subjectaccess.Item) (subjectaccess.Section, error) {
	sec := subjectaccess.Section{Title: "Notes about you by those managing the risk to you"}
	held := map[int64]bool{}
	hs, err := tx.VictimHeldTexts(ctx, v.ID)
	if err != nil {
		return sec, err
	}
	for _, h := range hs {
		if h.RecordType == victim.HeldNote {
			held[h.RecordID] = true
		}
	}
	mine.VictimCaseID = v.ID
	for _, l := range links {
		notes, err := tx.Notes(ctx, l.PerpetratorCase)
		if err != nil {
			return sec, err
		}
		for _, n := range notes {
			text := n.Text
			if !n.Body.IsZero() {
				plain, err := s.open(n.Body, aadCaseNote(n.ID))
				if err != nil {
					return sec, err
				}
				text = string(plain)
			}
			if !held[n.ID] && len(victim.Reveals(text, []victim.Sought{mine})) == 0 && !subjectaccess.MentionsAny(text, []string{v.GivenName, v.FamilyName}) {
				continue
			}
			it := screen(subjectaccess.Item{Key: "risk_note:" + strconv.FormatInt(n.ID, 10), Kind: "risk_note",
				On: drive.DateOf(n.CreatedAt).String(), Title: "Note by the perpetrator's case manager", Text: text})
			sec.Items = append(sec.Items, subjectaccess.Exempt(it))
		}
	}
	return sec, nil
}
