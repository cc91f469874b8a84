package outcomes

// Equality dimensions, in the order reports show them.
const (
	DimEthnicity         = "ethnicity"
	DimSex               = "sex"
	DimAgeBand           = "age_band"
	DimDisability        = "disability"
	DimSexualOrientation = "sexual_orientation"
)

// Population is a reference population: for each dimension, the share of
// each category among people who answered (shares of a dimension add up to
// about 1). A category without a share is shown with no comparison.
type Population struct {
	// Source names where the figures come from, printed under every
	// equality table.
	Source string
	Shares map[string]map[string]float64
}

// Reference holds the reference populations: National for reports over
// several sites, and one per site ID for a site's own report. It is
// configuration, read once and passed in.
type Reference struct {
	National Population
	Sites    map[int64]Population
}

// For returns the population a report over the given site IDs compares
// against: the site's own when the report is about one site that has one,
// otherwise the national one.
func (r Reference) For(siteIDs []int64) Population {
	if len(siteIDs) == 1 {
		if p, ok := r.Sites[siteIDs[0]]; ok {
			return p
		}
	}
	return r.National
}

// DefaultReference returns England and Wales as a whole from the 2021
// census (ONS, Census 2021, usual residents, 21 March 2021):
//
//   - ethnic group (TS021): White 81.7%, Asian 9.3%, Black 4.0%, Mixed 2.9%,
//     other 2.1%;
//   - sex: female 51.0%, male 49.0% (30,420,202 women and 29,177,340 men);
//     the census asked sex, so non-binary and other genders have no share;
//   - disability (TS038): 17.8% disabled under the Equality Act 2010;
//   - sexual orientation (TS077, aged 16 and over): heterosexual 89.4%, gay
//     or lesbian 1.5%, bisexual 1.3%, other 0.3%, not answered 7.5%; the
//     shares here are among those who answered (divided by 92.5%);
//   - age (TS007A, five-year groups, aged 16 and over, about 48.6 million):
//     approximate shares of the adult population by band, to the nearest
//     half point, worked from the five-year groups; a site should replace
//     them with its own area's figures.
//
// Each call returns a fresh copy.
func DefaultReference() Reference {
	return Reference{National: Population{
		Source: "ONS Census 2021, England and Wales (usual residents; sexual orientation and age bands aged 16+, among those who answered)",
		Shares: map[string]map[string]float64{
			DimEthnicity: {"white": 0.817, "asian": 0.093, "black": 0.040, "mixed": 0.029, "other": 0.021},
			DimSex:       {"female": 0.510, "male": 0.490},
			DimDisability: {
				"yes": 0.178, "no": 0.822,
			},
			DimSexualOrientation: {
				"heterosexual": 0.894 / 0.925, "gay_lesbian": 0.015 / 0.925,
				"bisexual": 0.013 / 0.925, "other": 0.003 / 0.925,
			},
			DimAgeBand: {
				"16_17": 0.030, "18_24": 0.105, "25_34": 0.165, "35_44": 0.155,
				"45_54": 0.165, "55_64": 0.150, "65_plus": 0.230,
			},
		},
	}}
}
