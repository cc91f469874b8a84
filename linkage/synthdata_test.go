package linkage

import "github.com/drive-platform/drive/linkage/synth"

// synthRecords returns n synthetic records as rows of id, given, surname,
// dob, postcode, town and the true person.
func synthRecords(n int) [][]string {
	var out [][]string
	for _, r := range synth.Generate(synth.Config{Records: n, Seed: 1}) {
		out = append(out, []string{r.ID, r.Given, r.Surname, r.DOB, r.Postcode, r.Town, r.PersonID})
	}
	return out
}
