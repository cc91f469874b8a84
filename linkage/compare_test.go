package linkage

import "testing"

// levelBetween builds a two-record table and returns the level of field f
// between the records, by name.
func levelBetween(t *testing.T, fields []Field, a, b []string, f int) string {
	t.Helper()
	tb, err := NewTable(fields)
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Add(0, "a", a); err != nil {
		t.Fatal(err)
	}
	if err := tb.Add(0, "b", b); err != nil {
		t.Fatal(err)
	}
	cmp := newComparer(tb)
	vec := cmp.vector(0, 1)
	if back := cmp.vector(1, 0); back != vec {
		t.Errorf("comparison of %q and %q is not symmetric: %x and %x", a, b, vec, back)
	}
	return levelNames(fields[f].Kind)[levelOf(vec, f)]
}

func TestCompareSingleFields(t *testing.T) {
	tests := []struct {
		kind Kind
		a, b string
		want string
	}{
		{KindGiven, "Robert", "robert", "exact"},
		{KindGiven, " ROBERT ", "Robert", "exact"},
		{KindGiven, "Robert", "Bob", "variant"},
		{KindGiven, "Bill", "William", "variant"},
		{KindGiven, "Daz", "Darren", "variant"},
		{KindGiven, "Gaz", "Gareth", "variant"},
		{KindGiven, "Jonathon", "Jonathan", "close spelling"},
		{KindGiven, "Kathryn", "Catherine", "variant"},
		{KindGiven, "Niall", "Neil", "sounds alike"},
		{KindGiven, "Jon", "Jonn", "close spelling"},
		{KindGiven, "Marcus", "Marco", "similar spelling"},
		{KindGiven, "J", "John", "initial"},
		{KindGiven, "J.", "John", "initial"},
		{KindGiven, "K", "John", "different"},
		{KindGiven, "Robert", "Susan", "different"},
		{KindGiven, "", "Susan", "missing"},
		{KindSurname, "O'Brien", "obrien", "exact"},
		{KindSurname, "Smith", "Smyth", "sounds alike"},
		{KindSurname, "Richardson", "Richadrson", "close spelling"},
		{KindSurname, "Bob", "Robert", "different"}, // variants are for given names
		{KindFullName, "John Smith", "john smith", "exact"},
		{KindFullName, "Smith, John", "John Smith", "same words reordered"},
		{KindFullName, "Bob Smith", "Robert Smith", "first and last words match"},
		{KindFullName, "John A Smith", "Jon Smith", "first and last words match"},
		{KindFullName, "John A Smith", "Jon Smyth", "sounds alike"},
		{KindFullName, "J Smith", "John Smith", "surname and initial"},
		{KindFullName, "Jane Smith", "Fiona Jones", "different"},
		{KindDate, "1971-06-24", "24/06/1971", "exact"},
		{KindDate, "1971-06-24", "1971-06-25", "one digit differs"},
		{KindDate, "1971-06-24", "1971-06-42", "digits transposed"},
		{KindDate, "1971-06-04", "1971-04-06", "day and month swapped"},
		{KindDate, "1971-06-04", "1971-06-19", "same year and month"},
		{KindDate, "1971-06-04", "1972-01-15", "within a year"},
		{KindDate, "1971-06-04", "1973-08-04", "different"},
		{KindDate, "1971-06-04", "1985-01-15", "far apart"},
		{KindDate, "1971-06", "1971-06-04", "agrees as far as written"},
		{KindDate, "06/1971", "1971-06-04", "agrees as far as written"},
		{KindDate, "Jun 1971", "4 June 1971", "agrees as far as written"},
		{KindDate, "1971", "1971-06-04", "agrees as far as written"},
		{KindDate, "1971", "1971", "agrees as far as written"},
		{KindDate, "1971", "1971-07", "agrees as far as written"},
		{KindDate, "1971-07", "1971-06-04", "within a year"},
		{KindDate, "1972", "1971-06-04", "within a year"},
		{KindDate, "1975", "1971-06-04", "different"},
		{KindDate, "1971-13", "1971-06-04", "missing"},
		{KindDate, "1965-03-12", "1990-03-07", "far apart"},
		{KindDate, "not a date", "1985-01-15", "missing"},
		{KindPostcode, "SW1A 1AA", "sw1a1aa", "exact"},
		{KindPostcode, "SW1A 1AA", "SW1A 1BB", "same sector"},
		{KindPostcode, "SW1A 1AA", "SW1A 2BB", "same district"},
		{KindPostcode, "SW1A 1AA", "SW1B 2BB", "same area"},
		{KindPostcode, "LS12 4QT", "LS12 4TQ", "same sector"},
		{KindPostcode, "SW1A 1AA", "LS12 4QT", "different"},
		{KindPostcode, "2036", "2306", "one character off"},
		{KindPostcode, "2036", "2037", "same sector"},
		{KindPostcode, "2036", "2041", "same district"},
		{KindPostcode, "2036", "2936", "one character off"},
		{KindPostcode, "2036", "2999", "same area"},
		{KindPostcode, "2036", "6000", "different"},
		{KindPlace, "Southend-on-Sea", "southend on sea", "exact"},
		{KindPlace, "Birmingham", "Birmingam", "close spelling"},
		{KindPlace, "Leeds", "Leads", "sounds alike"},
		{KindPlace, "Portsmouth", "Potsmith", "similar spelling"},
		{KindPlace, "Leeds", "York", "different"},
		{KindText, "12 High Street", "12 high street", "exact"},
		{KindText, "12 High Street", "12 High St", "some overlap"},
		{KindText, "lubuma place", "lubum aplace", "high overlap"},
		{KindText, "hannah88@powers.com", "hannah88@powres.com", "some overlap"},
		{KindText, "hannah88@powers.com", "hannah88@powers.co.uk", "high overlap"},
		{KindText, "12 High Street", "Flat 3 Mill Lane", "different"},
		{KindExact, "AB123", "ab123", "exact"},
		{KindExact, "4975843", "4957843", "one edit apart"},
		{KindExact, "4975843", "1234567", "different"},
	}
	for _, tt := range tests {
		fields := []Field{{Name: "x", Kind: tt.kind}}
		if got := levelBetween(t, fields, []string{tt.a}, []string{tt.b}, 0); got != tt.want {
			t.Errorf("%s: %q vs %q = %q, want %q", tt.kind, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCompareSwappedNames(t *testing.T) {
	fields := []Field{{"given", KindGiven}, {"surname", KindSurname}}
	tests := []struct {
		a, b           []string
		given, surname string
	}{
		{[]string{"Isla", "Hall"}, []string{"Hall", "Isla"}, "swapped with surname", "missing"},
		{[]string{"Susan", "Dean"}, []string{"Iean", "Susan"}, "swapped, partly seen", "missing"},
		{[]string{"Isla", "Hall"}, []string{"Hall", "Smith"}, "different", "different"},
		{[]string{"Isla", "Hall"}, []string{"Isla", "Hall"}, "exact", "exact"},
		{[]string{"Isla", ""}, []string{"", "Isla"}, "missing", "missing"},
		{[]string{"King", "Olivia"}, []string{"Olivia", ""}, "swapped, partly seen", "missing"},
		{[]string{"King", "Olivia"}, []string{"Olivia", "Smith"}, "different", "different"},
	}
	for _, tt := range tests {
		if got := levelBetween(t, fields, tt.a, tt.b, 0); got != tt.given {
			t.Errorf("given of %q vs %q = %q, want %q", tt.a, tt.b, got, tt.given)
		}
		if got := levelBetween(t, fields, tt.a, tt.b, 1); got != tt.surname {
			t.Errorf("surname of %q vs %q = %q, want %q", tt.a, tt.b, got, tt.surname)
		}
	}
}

func TestComparePlaceDefersToPostcode(t *testing.T) {
	fields := []Field{{"postcode", KindPostcode}, {"town", KindPlace}}
	tests := []struct {
		a, b []string
		want string
	}{
		// The postcodes agree: the town would count the same fact twice.
		{[]string{"LS12 4QT", "Leeds"}, []string{"LS12 4QT", "Leeds"}, "missing"},
		{[]string{"LS12 4QT", "Leeds"}, []string{"LS13 1AB", "Leeds"}, "missing"},
		// The postcodes disagree or one is missing: the town is evidence.
		{[]string{"LS12 4QT", "Leeds"}, []string{"M1 1AE", "Leeds"}, "exact"},
		{[]string{"", "Leeds"}, []string{"M1 1AE", "Leeds"}, "exact"},
		{[]string{"", "Leeds"}, []string{"M1 1AE", "York"}, "different"},
		// Postcodes in different areas and different towns: one move, said
		// once by the postcode.
		{[]string{"LS12 4QT", "Leeds"}, []string{"M1 1AE", "Manchester"}, "missing"},
		{[]string{"LS12 4QT", "Leeds"}, []string{"LS12 4TQ", "Leeds"}, "missing"},
	}
	for _, tt := range tests {
		if got := levelBetween(t, fields, tt.a, tt.b, 1); got != tt.want {
			t.Errorf("town of %q vs %q = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestVectorAllocatesNothing(t *testing.T) {
	tb, _ := NewTable([]Field{{"g", KindGiven}, {"s", KindSurname}, {"d", KindDate}, {"p", KindPostcode}, {"t", KindPlace}, {"x", KindText}, {"f", KindFullName}, {"e", KindExact}})
	tb.Add(0, "a", []string{"Jonathan", "Smith", "1971-06-24", "SW1A 1AA", "London", "12 High Street", "John Smith", "X1"})
	tb.Add(0, "b", []string{"Jonathon", "Smyth", "1971-06-42", "SW1A 2BB", "Londn", "12 High St", "Smith John", "X2"})
	cmp := newComparer(tb)
	if allocs := testing.AllocsPerRun(100, func() { cmp.vector(0, 1) }); allocs != 0 {
		t.Errorf("vector allocates %v times per pair, want 0", allocs)
	}
}
