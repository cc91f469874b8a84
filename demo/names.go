package demo

// Invented-people name lists: common British given names and surnames,
// combined at random, so no demo user matches a real person's record.

func givenNames() []string {
	return []string{
		"Aaliyah", "Abdul", "Adam", "Aisha", "Alex", "Alice", "Amara", "Amir", "Anna", "Arjun",
		"Ben", "Bethan", "Callum", "Carys", "Chloe", "Connor", "Daniel", "Deepa", "Dylan", "Eleanor",
		"Elif", "Ella", "Ethan", "Farah", "Fatima", "Finn", "Freya", "Gareth", "Grace", "Hannah",
		"Harry", "Imran", "Isla", "Jack", "Jade", "James", "Jasmine", "Kai", "Kate", "Kieran",
		"Laura", "Leon", "Lily", "Maya", "Megan", "Mohammed", "Nadia", "Niamh", "Noah", "Olivia",
		"Omar", "Priya", "Rhys", "Rosa", "Ruth", "Ryan", "Sam", "Sana", "Sian", "Sofia",
		"Tariq", "Tom", "Usman", "Yasmin", "Zara", "Zoe",
	}
}

func familyNames() []string {
	return []string{
		"Ahmed", "Ali", "Bailey", "Begum", "Bennett", "Brown", "Campbell", "Chen", "Clarke", "Cooper",
		"Davies", "Edwards", "Evans", "Fisher", "Green", "Griffiths", "Hall", "Harris", "Hughes", "Hussain",
		"Jackson", "James", "Jones", "Kaur", "Khan", "King", "Lewis", "Lloyd", "Malik", "Mason",
		"Mitchell", "Morgan", "Murphy", "Nowak", "Okafor", "Owen", "Palmer", "Patel", "Phillips", "Price",
		"Rahman", "Roberts", "Robinson", "Scott", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Turner",
		"Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
	}
}

func passwordWords() []string {
	return []string{
		"amber", "anchor", "badger", "basket", "beacon", "bramble", "breeze", "canal", "candle", "cedar",
		"cliff", "clover", "comet", "copper", "cradle", "dapple", "ember", "falcon", "fern", "fiddle",
		"glade", "granite", "harbour", "hazel", "heron", "hollow", "island", "juniper", "kettle", "lantern",
		"larch", "meadow", "mellow", "nettle", "orchard", "otter", "pebble", "plover", "quarry", "quill",
		"raven", "ripple", "rowan", "saffron", "shingle", "sorrel", "spindle", "thistle", "timber", "tundra",
		"umber", "valley", "walnut", "willow", "wren", "yarrow", "zephyr",
	}
}
