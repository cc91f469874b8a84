package risk

import (
	"sort"
	"strconv"
	"strings"
)

// QuestionComment is a practitioner's comment with the question it is
// about, as a reader needs it: "Question 10: Is the abuse happening more
// often?", not the questionnaire's internal "q10".
type QuestionComment struct {
	// Label is "Question 10", or "Stalking question 2" for a
	// supplementary question.
	Label    string
	Question string
	Comment  string
}

// LabelComments puts comments (keyed by question ID) with their questions,
// in the order the questionnaire asks them; a comment on a question the
// questionnaire does not hold (an older version's) comes last under its
// ID. Blank comments are left out.
func (q *Questionnaire) LabelComments(comments map[string]string) []QuestionComment {
	var out []QuestionComment
	used := map[string]bool{}
	add := func(qs []Question, prefix string) {
		for i, qu := range qs {
			if c := strings.TrimSpace(comments[qu.ID]); c != "" {
				out = append(out, QuestionComment{Label: prefix + strconv.Itoa(i+1), Question: qu.Text, Comment: c})
			}
			used[qu.ID] = true
		}
	}
	add(q.Questions, "Question ")
	add(q.Supplementary, "Stalking question ")
	var rest []string
	for id, c := range comments {
		if !used[id] && strings.TrimSpace(c) != "" {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		out = append(out, QuestionComment{Label: "Question " + id, Comment: strings.TrimSpace(comments[id])})
	}
	return out
}
