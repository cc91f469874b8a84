package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/risk"
)

// StoredDASH is a risk assessment as stored: the answers and judgement,
// the result they were scored to, and the sealed per-question comments
// (the zero SealedValue when there were none). Assessment.Comments is
// always nil here: the comments are only ever held sealed.
type StoredDASH struct {
	Assessment risk.Assessment
	Result     risk.Result
	Comments   SealedValue
}

// builtInQuestionnaire returns the built-in questionnaire with that code
// and version, or nil.
func builtInQuestionnaire(code, version string) *risk.Questionnaire {
	for _, q := range risk.Defaults() {
		if q.Code == code && q.Version == version {
			return q
		}
	}
	return nil
}

// checkDASH checks an assessment and its result. For a built-in
// questionnaire it runs Assessment.Validate and requires res to be
// exactly the questionnaire's score of the answers, so a stored score can
// never disagree with its answers. For another questionnaire (a site's
// own version, which the store does not hold) it checks what it can
// without the questions.
func checkDASH(a *risk.Assessment, res risk.Result, today drive.Date) error {
	if q := builtInQuestionnaire(a.Questionnaire, a.Version); q != nil {
		if err := a.Validate(q, today); err != nil {
			return err
		}
		if !reflect.DeepEqual(q.Score(*a), res) {
			return drive.Invalid("Check the risk assessment", map[string]string{"result": "The result does not match the answers: score the assessment again"})
		}
		return nil
	}
	f := map[string]string{}
	if a.Questionnaire == "" || a.Version == "" || len(a.Questionnaire) > 64 || len(a.Version) > 32 {
		f["questionnaire"] = "Choose a questionnaire"
	}
	if a.VictimID <= 0 {
		f["victim"] = "Choose the victim-survivor this assessment is about"
	}
	if a.AssessedBy <= 0 {
		f["assessed_by"] = "Say who completed the assessment"
	}
	if a.AssessedOn.IsZero() {
		f["assessed_on"] = "Enter the date of the assessment"
	} else if a.AssessedOn.After(today) {
		f["assessed_on"] = "The assessment date cannot be in the future"
	}
	yes := 0
	for id, ans := range a.Answers {
		if !ans.Valid() {
			f["answers."+id] = "Answer with yes, no or don't know"
		}
		if ans == risk.Yes {
			yes++
		}
	}
	if res.Questionnaire != a.Questionnaire || res.Version != a.Version || res.Score < 0 || res.Score > yes || res.Score > res.Questions {
		f["result"] = "The result does not match the answers: score the assessment again"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the risk assessment", f)
	}
	return nil
}

// SaveDASH stores a completed risk assessment of a victim-survivor with
// its result, and sets a.ID. The answers are stored as data (question id
// to answer) beside the questionnaire code and version; the score and
// levels are stored from res for lists and reports. a.Comments is never
// stored: the per-question comments may say where she is, so the caller
// seals them (JSON of a.Comments, bound to her case) and
// passes them as comments, or the zero SealedValue when there are none.
//
// Errors: EINVALID (the checks of Assessment.Validate for a built-in
// questionnaire, a result that does not match the answers, comments given
// in a.Comments but not sealed, comments that are not a sealed value, a
// victim-survivor's case or user that does not exist).
func (tx *Tx) SaveDASH(ctx context.Context, a *risk.Assessment, res risk.Result, comments SealedValue) error {
	if err := checkDASH(a, res, drive.DateOf(tx.Now)); err != nil {
		return err
	}
	if comments.IsZero() {
		if len(a.Comments) > 0 {
			return drive.Errorf(drive.EINVALID, "the assessment's comments must be sealed before they are stored")
		}
	} else if err := comments.check("DASH comments"); err != nil {
		return err
	}
	answers := a.Answers
	if answers == nil {
		answers = map[string]risk.Answer{}
	}
	ab, err := json.Marshal(answers)
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the assessment could not be saved")
	}
	rb, err := json.Marshal(res)
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the assessment could not be saved")
	}
	id, err := tx.insert(ctx, `INSERT INTO victim_dash (victim_case_id, questionnaire, version, answers, professional_judgement, judgement_reason,
		assessed_on, assessed_by, score, band, effective_level, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.VictimID, a.Questionnaire, a.Version, string(ab), a.ProfessionalJudgement, a.JudgementReason,
		a.AssessedOn, a.AssessedBy, res.Score, res.Band.Code, res.EffectiveLevel.Code, string(rb), tx.Now)
	if err != nil {
		return err
	}
	if !comments.IsZero() {
		if _, err := tx.exec(ctx, `INSERT INTO victim_dash_comments (assessment_id, data, key_id) VALUES (?, ?, ?)`, id, comments.Data, comments.KeyID); err != nil {
			return err
		}
	}
	a.ID = id
	return nil
}

// DASHAssessments returns a victim-survivor's risk assessments, oldest
// first, each with its result and sealed comments.
func (tx *Tx) DASHAssessments(ctx context.Context, victimCaseID int64) ([]StoredDASH, error) {
	rows, err := tx.query(ctx, `SELECT d.id, d.victim_case_id, d.questionnaire, d.version, d.answers, d.professional_judgement, d.judgement_reason,
		d.assessed_on, d.assessed_by, d.result, c.data, c.key_id
		FROM victim_dash d LEFT JOIN victim_dash_comments c ON c.assessment_id = d.id
		WHERE d.victim_case_id = ? ORDER BY d.assessed_on, d.id`, victimCaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredDASH
	for rows.Next() {
		var s StoredDASH
		a := &s.Assessment
		var answers, result []byte
		var keyID sql.NullString
		if err := rows.Scan(&a.ID, &a.VictimID, &a.Questionnaire, &a.Version, &answers, &a.ProfessionalJudgement, &a.JudgementReason,
			&a.AssessedOn, &a.AssessedBy, &result, &s.Comments.Data, &keyID); err != nil {
			return nil, tx.d.mapError(err)
		}
		s.Comments.KeyID = keyID.String
		if err := json.Unmarshal(answers, &a.Answers); err != nil {
			return nil, drive.Wrap(err, drive.EINTERNAL, "a stored risk assessment could not be read")
		}
		if err := json.Unmarshal(result, &s.Result); err != nil {
			return nil, drive.Wrap(err, drive.EINTERNAL, "a stored risk assessment could not be read")
		}
		out = append(out, s)
	}
	return out, tx.d.mapError(rows.Err())
}

// SaveBehaviour stores a behaviour assessment for a victim-survivor and a
// perpetrator case she is linked to, and sets b.ID. It is checked with
// BehaviourAssessment.Validate against the time points of the case's
// programme at its site (the exit time point is the one due at closure).
// There is one assessment per victim-survivor, case and time point, so the
// outcome measures count each pair once.
//
// Errors: EINVALID (fields, a case that does not exist or whose programme
// its site does not run, a victim-survivor not linked to the case),
// ECONFLICT for a second assessment of the same pair at the same time
// point.
func (tx *Tx) SaveBehaviour(ctx context.Context, b *risk.BehaviourAssessment) error {
	var site int64
	var code string
	err := tx.queryRow(ctx, `SELECT site_id, programme FROM cases WHERE id = ?`, b.CaseID).Scan(&site, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return drive.Invalid("Check the behaviour assessment", map[string]string{"case": "Choose the perpetrator's case this assessment belongs to"})
	}
	if err != nil {
		return tx.d.mapError(err)
	}
	prog, err := tx.SiteProgramme(ctx, site, code)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return drive.Invalid("Check the behaviour assessment", map[string]string{"case": "The case's programme is not run at its site, so its time points are not known"})
	}
	if err != nil {
		return err
	}
	var points []string
	exit := ""
	for _, tp := range prog.TimePoints {
		points = append(points, tp.Code)
		if tp.WeeksAfterStart < 0 {
			exit = tp.Code
		}
	}
	if err := b.Validate(drive.DateOf(tx.Now), points, exit); err != nil {
		return err
	}
	if ok, err := tx.linked(ctx, b.VictimID, b.CaseID); err != nil {
		return err
	} else if !ok {
		return drive.Invalid("Check the behaviour assessment", map[string]string{"victim": "The victim-survivor is not linked to this case"})
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM victim_behaviours WHERE victim_case_id = ? AND case_id = ? AND time_point = ?`,
		b.VictimID, b.CaseID, b.TimePoint).Scan(&n); err != nil {
		return tx.d.mapError(err)
	}
	if n > 0 {
		return drive.Errorf(drive.ECONFLICT, "This victim-survivor already has a %s behaviour assessment for this case", b.TimePoint)
	}
	id, err := tx.insert(ctx, `INSERT INTO victim_behaviours (victim_case_id, case_id, time_point, physical, sexual, stalking, controlling, risk_change,
		assessed_on, assessed_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.VictimID, b.CaseID, b.TimePoint, string(b.Physical), string(b.Sexual), string(b.Stalking), string(b.Controlling), b.RiskChange,
		b.AssessedOn, b.AssessedBy, tx.Now)
	if err != nil {
		return err
	}
	b.ID = id
	return nil
}

// Behaviours returns a victim-survivor's behaviour assessments for every
// case she is linked to, oldest first.
func (tx *Tx) Behaviours(ctx context.Context, victimCaseID int64) ([]risk.BehaviourAssessment, error) {
	return tx.behaviours(ctx, `victim_case_id = ?`, victimCaseID)
}

// CaseBehaviours returns the behaviour assessments of every victim-survivor
// linked to a perpetrator case, oldest first: what the outcome measures
// for the case are computed from.
func (tx *Tx) CaseBehaviours(ctx context.Context, perpetratorCaseID int64) ([]risk.BehaviourAssessment, error) {
	return tx.behaviours(ctx, `case_id = ?`, perpetratorCaseID)
}

func (tx *Tx) behaviours(ctx context.Context, cond string, id int64) ([]risk.BehaviourAssessment, error) {
	rows, err := tx.query(ctx, `SELECT id, victim_case_id, case_id, time_point, physical, sexual, stalking, controlling, risk_change, assessed_on, assessed_by
		FROM victim_behaviours WHERE `+cond+` ORDER BY assessed_on, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []risk.BehaviourAssessment
	for rows.Next() {
		var b risk.BehaviourAssessment
		var phys, sex, stalk, ctrl string
		if err := rows.Scan(&b.ID, &b.VictimID, &b.CaseID, &b.TimePoint, &phys, &sex, &stalk, &ctrl, &b.RiskChange, &b.AssessedOn, &b.AssessedBy); err != nil {
			return nil, tx.d.mapError(err)
		}
		b.Physical, b.Sexual, b.Stalking, b.Controlling = risk.Tri(phys), risk.Tri(sex), risk.Tri(stalk), risk.Tri(ctrl)
		out = append(out, b)
	}
	return out, tx.d.mapError(rows.Err())
}
