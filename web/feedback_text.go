package web

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/drive-platform/drive/voice"
)

// The survivor route speaks English and Welsh. Its words are keyed by the
// English text and looked up through golang.org/x/text/message, with a
// catalogue built once per server from the table below (English needs no
// entries: a key is its own English). Every string the route shows, its
// errors included, goes through a printer; feedback_text_test.go checks
// that every key the route uses has its Welsh.

// cymraeg is the tag for Welsh.
func cymraeg() language.Tag { return language.MustParse("cy") }

// feedbackLang reads the language she chose ("cy" for Welsh), kept in the
// form or the address, never a cookie: nothing is stored in her browser.
func feedbackLang(code string) language.Tag {
	if code == "cy" {
		return cymraeg()
	}
	return language.BritishEnglish
}

// feedbackCatalog builds the catalogue of the route's words.
func feedbackCatalog() (*catalog.Builder, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.BritishEnglish))
	for en, cy := range welsh() {
		if err := b.SetString(cymraeg(), en, cy); err != nil {
			return nil, err
		}
		if err := b.SetString(language.BritishEnglish, en, en); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// translator returns a function that gives a key's words in lang.
func translator(cat catalog.Catalog, lang language.Tag) func(string) string {
	p := message.NewPrinter(lang, message.Catalog(cat))
	return func(key string) string {
		return p.Sprintf(message.Key(key, key))
	}
}

// welsh is the Welsh of every key the route uses, in plain words.
func welsh() map[string]string {
	m := map[string]string{
		// The page itself.
		"Your views":                         "Eich barn",
		"Skip to main content":               "Neidio i'r prif gynnwys",
		"Error: ":                            "Gwall: ",
		"Emergency":                          "Argyfwng",
		"Exit this page":                     "Gadael y dudalen hon",
		"Loading.":                           "Wrthi'n gadael.",
		"Exit this page expired.":            "Mae'r botwm gadael wedi dod i ben.",
		"Shift, press 2 more times to exit.": "Shift, pwyswch 2 waith eto i adael.",
		"Shift, press 1 more time to exit.":  "Shift, pwyswch 1 waith eto i adael.",
		"Language":                           "Iaith",

		// The first page.
		"Your support worker gave you a code. Enter it to answer a few short questions about how things are for you. It takes about 5 minutes.": "Rhoddodd eich gweithiwr cymorth god i chi. Rhowch y cod i ateb ychydig o gwestiynau byr am sut mae pethau i chi. Mae'n cymryd tua 5 munud.",
		"You do not need an account, and nothing is kept on this phone or computer.":                                                            "Does dim angen cyfrif arnoch, a does dim byd yn cael ei gadw ar y ffôn neu'r cyfrifiadur hwn.",
		"If you are in danger now, call 999.": "Os ydych mewn perygl nawr, ffoniwch 999.",
		"Your code":                           "Eich cod",
		"It is on the card your support worker gave you, for example ABCDE-FGHJK": "Mae ar y cerdyn a roddodd eich gweithiwr cymorth i chi, er enghraifft ABCDE-FGHJK",
		"Continue":           "Parhau",
		"There is a problem": "Mae problem wedi codi",
		"Enter your code":    "Rhowch eich cod",
		"This code is not right, has been used or has expired. Check it, or ask your support worker for a new one.": "Nid yw'r cod hwn yn gywir, mae wedi cael ei ddefnyddio neu mae wedi dod i ben. Gwiriwch ef, neu gofynnwch i'ch gweithiwr cymorth am un newydd.",
		"Too many tries. Wait 15 minutes, then try again.":                                                          "Gormod o ymdrechion. Arhoswch 15 munud, yna rhowch gynnig arall arni.",

		// The questions.
		"A few questions": "Ychydig o gwestiynau",
		"Answer each question. You can always choose I would rather not say.": "Atebwch bob cwestiwn. Gallwch bob amser ddewis 'Byddai'n well gen i beidio â dweud'.",
		"Yes":                       "Do",
		"No":                        "Naddo",
		"Partly":                    "Yn rhannol",
		"I would rather not say":    "Byddai'n well gen i beidio â dweud",
		"How safe do you feel now?": "Pa mor ddiogel ydych chi'n teimlo nawr?",
		"0 means not safe at all. 10 means completely safe.":                        "Mae 0 yn golygu ddim yn ddiogel o gwbl. Mae 10 yn golygu'n hollol ddiogel.",
		"Who can see your answers?":                                                 "Pwy all weld eich atebion?",
		"Share them with my support worker":                                         "Eu rhannu gyda fy ngweithiwr cymorth",
		"Your support worker will see your answers and can talk to you about them.": "Bydd eich gweithiwr cymorth yn gweld eich atebion a gall siarad â chi amdanynt.",
		"Keep them anonymous":                                                       "Eu cadw'n ddienw",
		"Your answers are kept without your name or your code, and only counted together with other people's.": "Caiff eich atebion eu cadw heb eich enw na'ch cod, a dim ond gydag atebion pobl eraill y cânt eu cyfrif.",
		"About the support (optional)":                         "Am y cymorth (dewisol)",
		"Anything else you want to tell us about the support?": "Oes unrhyw beth arall yr hoffech ei ddweud wrthym am y cymorth?",
		"Do not write your name or where you live.":            "Peidiwch ag ysgrifennu eich enw na ble rydych yn byw.",
		"Send my answers":                                      "Anfon fy atebion",
		"Choose who can see your answers":                      "Dewiswch pwy all weld eich atebion",

		// The end, and errors.
		"Thank you":                                   "Diolch",
		"Your answers have been sent.":                "Mae eich atebion wedi cael eu hanfon.",
		"You can close this page now.":                "Gallwch gau'r dudalen hon nawr.",
		"Page not found":                              "Heb ddod o hyd i'r dudalen",
		"Sorry, there is a problem. Try again later.": "Mae'n ddrwg gennym, mae problem wedi codi. Rhowch gynnig arall arni yn nes ymlaen.",
		"Start again":                                 "Dechrau eto",

		// The domain's messages (package voice).
		voice.MsgCheckAnswers: "Gwiriwch eich atebion",
		voice.MsgAnswerEach:   "Dewiswch ateb, neu 'Byddai'n well gen i beidio â dweud'",
		voice.MsgFeelsSafe:    "Dewiswch rif o 0 i 10",
		voice.MsgScale:        "Dewiswch un o'r atebion",
		voice.MsgFreeText:     "Cadwch hwn i 2,000 o nodau neu lai",
	}
	// The questions and scales, from package voice.
	questions := map[string]string{
		"Since last time, did anyone hurt you physically?":                                                        "Ers y tro diwethaf, a wnaeth rhywun eich brifo'n gorfforol?",
		"Since last time, did anyone make you do sexual things you did not want to do?":                           "Ers y tro diwethaf, a wnaeth rhywun wneud i chi wneud pethau rhywiol nad oeddech eisiau eu gwneud?",
		"Since last time, did anyone follow you, watch you or keep contacting you when you did not want them to?": "Ers y tro diwethaf, a wnaeth rhywun eich dilyn, eich gwylio neu ddal ati i gysylltu â chi pan nad oeddech eisiau iddynt wneud hynny?",
		"Since last time, did anyone try to control what you do, who you see or your money?":                      "Ers y tro diwethaf, a wnaeth rhywun geisio rheoli beth rydych yn ei wneud, pwy rydych yn eu gweld neu eich arian?",
		"How are things for you day to day at the moment?":                                                        "Sut mae pethau i chi o ddydd i ddydd ar hyn o bryd?",
		"Very hard":  "Anodd iawn",
		"Hard":       "Anodd",
		"Getting by": "Ymdopi",
		"Good":       "Da",
		"Very good":  "Da iawn",
		"If you needed help, how sure are you that you could get it?": "Pe bai angen help arnoch, pa mor siŵr ydych chi y gallech ei gael?",
		"Not at all sure":                        "Ddim yn siŵr o gwbl",
		"Not very sure":                          "Ddim yn siŵr iawn",
		"Fairly sure":                            "Eithaf siŵr",
		"Sure":                                   "Siŵr",
		"Very sure":                              "Siŵr iawn",
		"Did your support worker listen to you?": "A wnaeth eich gweithiwr cymorth wrando arnoch chi?",
		"Did the support help you feel safer?":   "A wnaeth y cymorth eich helpu i deimlo'n fwy diogel?",
		"Did you get the help you needed?":       "A wnaethoch chi gael yr help roedd ei angen arnoch?",
	}
	for k, v := range questions {
		m[k] = v
	}
	return m
}
