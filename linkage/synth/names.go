package synth

// The lists below are common given names and surnames of England and Wales
// and the names of towns with the letters of their postcode areas. They are
// combined at random, so no record describes a real person. The order of
// each name list is its rank: earlier names are drawn more often.

const maleNames = `
james john david michael robert william richard thomas paul mark
christopher daniel andrew peter stephen george matthew anthony steven jack
joseph harry charles edward oliver samuel benjamin alexander jonathan adam
simon kevin gary ian brian alan martin neil graham keith
philip colin lee jason craig dean ryan luke liam nathan
scott shaun wayne darren carl stuart lewis jamie callum connor
kieran aaron jordan jake joshua dylan ethan noah leo oscar
arthur henry alfie freddie archie theo max toby charlie harvey
frederick albert ernest walter arthur herbert leonard raymond kenneth ronald
dennis derek roy trevor barry terence geoffrey malcolm gordon douglas
nigel clive howard julian rupert patrick francis vincent gerald roger
mohammed muhammad ali omar hassan ahmed yusuf ibrahim adil imran
rhys owen gareth dafydd huw emyr aled iwan tomos gethin
`

const femaleNames = `
mary elizabeth sarah susan margaret patricia jennifer linda barbara helen
emma charlotte olivia amelia sophie jessica emily lucy hannah laura
rebecca rachel katherine catherine victoria samantha nicola claire michelle louise
joanne lisa karen julie donna tracey kelly amanda dawn angela
jacqueline deborah alison caroline jane anne lynne gillian janet pauline
sandra christine valerie carol brenda sheila jean maureen doreen joan
dorothy irene betty edith florence alice grace ivy mabel ethel
isla ava mia poppy isabella evie ella lily freya sophia
chloe megan holly abigail bethany natalie zoe jade danielle leanne
stephanie gemma kirsty hayley stacey kayleigh amy lauren ellie molly
ruby daisy phoebe matilda harriet eleanor rosie imogen millie scarlett
fatima aisha zara amira layla maryam noor sana yasmin hafsa
sian rhiannon ffion cerys bethan carys eleri nia megan angharad
`

const surnames = `
smith jones williams taylor brown davies evans wilson thomas johnson
roberts robinson thompson wright walker white edwards hughes green hall
lewis harris clarke patel jackson wood turner martin cooper hill
ward morris moore clark lee king baker harrison morgan allen
james scott phillips watson davis parker price bennett young griffiths
mitchell kelly cook carter richardson bailey collins bell shaw murphy
miller cox richards khan marshall anderson simpson ellis adams singh
begum wilkinson foster chapman powell webb rogers gray mason ali
hunt hussain campbell matthews owen palmer holmes mills barnes knight
lloyd butler russell barker fisher stevens jenkins murray dixon harvey
graham pearson ahmed fletcher walsh kaur gibson howard andrews stewart
elliott reynolds saunders payne fox ford pearce day brooks west
lawrence cole atkinson bradley spencer gill dawson ball burton obrien
watts rose booth perry ryan grant wells armstrong francis rees
hayes hart hudson newman barrett webster hunter gregory carr lowe
page marsh riley dunn woods parsons berry stone reid holland
hawkins harding porter robertson newton oliver reed kennedy williamson bird
gardner shah dean lane cooke bates henderson parry burgess bishop
walton burns nicholson shepherd ross cross long freeman warren nicholls
hamilton byrne sutton mcdonald yates hodgson robson curtis hopkins oconnor
harper coleman watkins moss mccarthy chambers connor kirk doyle harrington
pritchard vaughan bowen jenkins howells rowlands llewellyn prosser meredith gwynne
`

// Surname parts. About a third of the synthetic people get a surname built
// from one of each list ("ashford", "brackley"), which gives the long tail of
// rare surnames that real populations have.
const surnameStarts = `
ash brad brom cald chad craw dun ed ever fair farn gold green hal
hart hol kings lang lock mar mid new nor oak pen rad red rock
rush sand shel ster stan thorn wad wal war well west whit wick wood
`

const surnameEnds = `
ford ley ton wood well by worth field ham more dale stead bury wick
combe den hurst holme shaw lake brook cliffe thorpe ridge gate mead cott
`

// towns lists towns with their postcode area letters, one per line.
const towns = `
london E
london N
london SE
london SW
birmingham B
manchester M
leeds LS
liverpool L
sheffield S
bristol BS
newcastle NE
nottingham NG
leicester LE
coventry CV
bradford BD
cardiff CF
swansea SA
newport NP
wrexham LL
stoke-on-trent ST
wolverhampton WV
derby DE
southampton SO
portsmouth PO
plymouth PL
exeter EX
norwich NR
ipswich IP
cambridge CB
oxford OX
reading RG
brighton BN
canterbury CT
maidstone ME
guildford GU
luton LU
northampton NN
peterborough PE
lincoln LN
hull HU
york YO
doncaster DN
wakefield WF
huddersfield HD
halifax HX
blackburn BB
bolton BL
preston PR
blackpool FY
lancaster LA
carlisle CA
durham DH
sunderland SR
middlesbrough TS
darlington DL
chester CH
warrington WA
wigan WN
oldham OL
stockport SK
crewe CW
shrewsbury SY
telford TF
worcester WR
hereford HR
gloucester GL
swindon SN
bath BA
taunton TA
truro TR
torquay TQ
bournemouth BH
salisbury SP
dorchester DT
chelmsford CM
colchester CO
southend-on-sea SS
watford WD
stevenage SG
milton keynes MK
bedford MK
harrow HA
croydon CR
bromley BR
kingston KT
twickenham TW
romford RM
ilford IG
enfield EN
`

// nicknames maps formal given names to forms a person may give instead.
const nicknames = `
james jim jimmy jamie
john jack johnny jon
david dave davy
michael mike mick micky
robert bob rob robbie bobby
william bill will billy liam
richard rick dick richie
thomas tom tommy
christopher chris
daniel dan danny
andrew andy drew
anthony tony
stephen steve stevie steven
matthew matt
joseph joe joey
samuel sam
benjamin ben benny
alexander alex sandy
jonathan jon jonny
edward ed eddie ted
charles charlie chas
frederick fred freddie
albert bert
leonard len lenny
kenneth ken kenny
ronald ron ronnie
terence terry
geoffrey geoff jeff
patrick pat paddy
philip phil
nathan nat nate
mohammed mohammad muhammad mohamed
elizabeth liz lizzie beth betty
margaret maggie peggy meg
katherine kate kathy katie
catherine cathy kate cath
rebecca becky becca
victoria vicky tori
samantha sam sammy
jennifer jenny jen
patricia pat patsy trish
susan sue susie
deborah debbie debs
jacqueline jackie
christine chris chrissie
alison ali
nicola nicky nikki
amanda mandy
dorothy dot dotty
florence flo florrie
abigail abby
eleanor ellie nell
isabella bella izzy
harriet hattie
matilda tilly
`

// Parts of the invented names of PopulationNames (population.go): one part
// of each list makes a name. They give the long tail of rare names that a
// population of millions has; "-" stands for no middle part.
const surnameMoreStarts = `
ab ald alt ap arn bar bart bel ben birk black bol bor buck bur cam car
chel clay cob col cres dal dar den dor east elm fen fer gar gil glen ham
har hen her hil hog hux kel ken kim lam lan lea lin lud marl mer mol mor
nash net north ock old ot pad par pem pres rav rid ring rom ros rud sal
sel shap sher sid slat sol stam stock sud sun tam tem til tod up ver wel
wes wim win wol wor yar yel bram crom drax fal gos hamp ick lax pick
quar sker tad thur ux
`

const surnameMiddles = `
- er en in el an ing es ers ling ow ly et is ock am ar on el ington
`

const surnameMoreEnds = `
s son man er ing ett ard all ey ie ell ers ock stone wright ward hill
croft thwaite land ner nell kin kins ridge hall wade ash ney low cock
ings bourne borough ington garth sey oe stow wald gill berry dene leigh
forth holt nett
`

const givenOnsets = `
ba be bi bo bu bai bay bea ca ce co cu da de di do du dai dea fa fe fi fo
ga ge gi go ha he hi ho ja je ji jo ju jay ka ke ki ko ky kai la le li lo
lu lay lea ma me mi mo mu may mai na ne ni no nu pa pe pi po ra re ri ro
ru ray rea sa se si so su sai ta te ti to tu tay va ve vi wa we wi ya yo
za ze zi bra bre bri bro cha che chi cla cle dra dre dri fra fre gra gre
kri sha she shi sta ste sti tha the thi tra tre tri
`

const givenMiddles = `
- l n r s v d m x th nn ll rr
`

const maleEndings = `
an en on ard ric ley in o as ian el us iel ton ar er is ik or
`

const femaleEndings = `
a ia elle ine ey ie ah etta ina ette ela ora issa yn ene ana ara ona ice
ise ya enne
`
