package audit_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/drive-platform/drive/audit"
)

// The storage layer appends an event by reading the head of the log, in
// the same transaction as the change being recorded, and inserting the
// event Head.Next returns. Here a slice stands in for the table.
func ExampleHead_Next() {
	var table []audit.Event
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	for i, action := range []string{audit.ActionSigninSuccess, audit.ActionRecordRead, audit.ActionRecordWrite} {
		var head audit.Head // the zero Head is an empty log
		if len(table) > 0 {
			head = audit.HeadOf(table[len(table)-1])
		}
		e := audit.Event{
			At: at.Add(time.Duration(i) * time.Minute), ActorID: 7, ActorRole: "case_manager",
			Action: action, Outcome: audit.OutcomeOK, Remote: "192.0.2.10",
		}
		if action != audit.ActionSigninSuccess {
			e.RecordType, e.RecordID, e.SiteID = "perpetrator_case", "1042", 1
		}
		sealed, err := head.Next(e)
		if err != nil {
			fmt.Println(err)
			return
		}
		table = append(table, sealed)
	}
	for _, e := range table {
		fmt.Println(e.Seq, e.Action, bytes.Equal(e.PrevHash, audit.GenesisHash()))
	}
	// Output:
	// 1 signin.success true
	// 2 record.read false
	// 3 record.write false
}

// Verification streams the events in order of number; a checkpoint made
// earlier shows that nothing was cut off the end.
func ExampleVerifier() {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var table []audit.Event
	var head audit.Head
	for i := range 5 {
		e, _ := head.Next(audit.Event{At: at.Add(time.Duration(i) * time.Second), ActorID: 7,
			ActorRole: "idva", Action: audit.ActionRecordRead, RecordType: "victim_case",
			RecordID: "88", SiteID: 1, Outcome: audit.OutcomeAllowed})
		table = append(table, e)
		head = audit.HeadOf(e)
	}
	cp := audit.Checkpoint{Seq: head.Seq, Hash: head.Hash, At: at.Add(time.Hour)}

	check := func(events []audit.Event) {
		v, err := audit.NewVerifier(cp)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range events {
			if v.Add(e) != nil {
				break
			}
		}
		report, err := v.Finish()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("intact:", report.Events, "events,", report.Checkpoints, "checkpoint matched")
	}

	check(table)
	edited := append([]audit.Event(nil), table...)
	edited[2].RecordID = "89"
	check(edited)
	check(table[:4])
	// Output:
	// intact: 5 events, 1 checkpoint matched
	// audit log broken at event 3: its contents do not match its hash (the event was edited)
	// audit log broken at event 5: the log ends at event 4, but the checkpoint of 2026-05-01 10:00:00 UTC covers events up to 5 (events were deleted from the end of the log)
}
