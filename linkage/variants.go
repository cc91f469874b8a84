package linkage

import "strings"

// givenNameVariants lists groups of given names that one person may be
// recorded under: formal names, their short forms and pet forms, and common
// spellings. Each line is one group; a name may sit in several groups (an
// "Al" may be an Alan or an Albert), and two names are variants when they share
// a group. The table is data, kept apart from the code, so that sites can
// review it; it is deliberately conservative, listing only forms in common
// use in England and Wales.
const givenNameVariants = `
abigail abby abbie gail
abraham abe bram
adam addy
adrian ade
agnes aggie nessa
albert al bert bertie
alan allan allen al
alexander alex alec alexa sandy xander lex
alexandra alex alexa sandra sandy lexi lexie
alfred alf alfie fred freddie
alice ally allie
alison allison ali allie
amanda mandy manda
amelia amy millie mia
andrew andy drew
angela angie
anne ann annie anna nancy
anthony antony tony ant
arthur art artie
barbara barb babs barbie
barry baz
benjamin ben benny benji
bernard bernie
beverley bev
bradley brad
brian bryan
caroline carol carrie caz
catherine katherine kathryn catharine cathy kathy kate katie cat kat kitty
charles charlie chas chuck
charlotte charlie lottie lotte
christina christine chris chrissie tina kristina
christopher chris kit topher
cornelius neil
cynthia cindy
daniel dan danny
darren daz
david dave davy
deborah debra debbie deb
dennis denis
derek del dez
dominic dom
donald don donny
dorothy dot dottie dolly
douglas doug dougie
edmund ed eddie ned
edward ed eddie ted teddy ned
eleanor elinor ellie nell nora
elizabeth elisabeth liz lizzie beth betty bess bessie eliza libby lisa elsie
ellen ellie nell
emily em emmy milly
emma em emmy
eugene gene
frances fran fanny frankie
francis frank frankie
frederick frederic fred freddie freddy
gabriel gabe gabby
gabrielle gabby gaby
gareth gaz
gary garry gaz
geoffrey jeffrey geoff jeff
george georgie
georgina georgia gina
gerald gerry jerry
gillian jillian gill jill
gregory greg
gwendolyn gwen
harold harry hal
harriet hattie harry
helen helena nell ellie
henry harry hal hank
herbert herb bert
isaac ike
isabel isabella isobel izzy bella belle
jacob jake
jacqueline jackie
james jim jimmy jamie jem
jane jenny janey
janet jan
jennifer jenny jen jenna
jessica jess jessie
joanna joanne jo
john jon jack johnny jonny
jonathan jon jonny nathan
joseph joe joey jo
josephine jo josie
joshua josh
judith judy jude
julia julie jules
karen kaz
kenneth ken kenny
kevin kev
kimberley kimberly kim
lawrence laurence larry laurie
leonard len lenny leo
leslie lesley les
lewis louis lou
louisa louise lou lulu
lucy lucia
madeleine madeline maddie maddy
margaret maggie meg peggy marge madge greta molly
martin marty
mary mollie molly polly mae may
matilda tilly tilda
matthew matt matty
maureen mo
melissa mel missy
michael mike mick mickey micky mikey
michelle shelley chelle
nathan nat nate
nathaniel nat nate nathan
nicholas nick nicky nico
nicola nicole nicky nikki
oliver ollie olly
olivia liv livvy
pamela pam
patricia pat patty trish tricia
patrick pat paddy
penelope penny
peter pete
philip phillip phil pip
rachel rach
raymond ray
rebecca becky becca bex
richard rick ricky dick rich richie
robert rob robbie bob bobby bert
roderick rod roddy
rodney rod
ronald ron ronnie
rosemary rose rosie
samantha sam sammy
samuel sam sammy
sarah sara sally sadie
sharon shaz
shaun shawn sean
stephanie steph stevie
stephen steven steve stevie
susan suzanne sue susie suzy
terence terrance terry tel
theodore theo ted teddy
thomas tom tommy
timothy tim timmy
valerie val
veronica ronnie vera
victoria vicky vicki tori
vincent vince vinny
walter walt wally
warren waz
william bill billy will willie liam
winifred winnie freda
yvonne vonnie
zachary zach zack
`

// variantIndex maps each name in givenNameVariants to an entry of the
// returned list, which holds the sorted numbers of the groups the name
// belongs to (entry 0 is empty). It is built once per Table from the
// constant text, so the package holds no mutable state.
func variantIndex() (map[string]uint16, [][]uint16) {
	groups := map[string][]uint16{}
	var order []string
	group := uint16(0)
	for _, line := range strings.Split(givenNameVariants, "\n") {
		names := strings.Fields(line)
		if len(names) < 2 {
			continue
		}
		group++
		for _, n := range names {
			if groups[n] == nil {
				order = append(order, n)
			}
			if g := groups[n]; len(g) == 0 || g[len(g)-1] != group {
				groups[n] = append(g, group)
			}
		}
	}
	index := make(map[string]uint16, len(order))
	lists := [][]uint16{nil}
	for _, n := range order {
		index[n] = uint16(len(lists))
		lists = append(lists, groups[n])
	}
	return index, lists
}

// shareGroup reports whether two sorted group lists have a member in common.
func shareGroup(a, b []uint16) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}
