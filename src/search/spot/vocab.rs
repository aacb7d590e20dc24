//! What kind of word a title word is, for telling a film's name from the same words in talk.
//!
//! Three hand-written lists, all of normalised words (lower-case ASCII, apostrophes gone):
//!
//! * **function** words: articles, pronouns, prepositions, auxiliaries, chat fillers. They
//!   carry no evidence either way; a title made only of them (`It`, `Up`, `Her`) is short.
//! * **common** words: the everyday vocabulary of English chat, a few thousand words, with
//!   their plurals and verb forms found by suffix rules. A title made of them
//!   (`Taxi Driver`, `Vertigo`, `Past Lives`) reads as ordinary talk unless something says
//!   it is a title.
//! * **proper** words: place names, given names, surnames and honorifics. Written with a
//!   capital whatever they mean, so a capital says nothing about them being a film.
//!
//! Any other word is *rare*: `rashomon`, `godfather`, `samurai`. A title with a rare word is
//! seldom said by accident.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// The kind of one normalised word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Function,
    Common,
    Proper,
    Number,
    Rare,
}

/// The class of a normalised word.
pub(crate) fn class(word: &str) -> Class {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        return Class::Number;
    }
    let lists = lists();
    // A single letter is an initial or a pronoun, never what makes a title telling.
    if word.len() == 1 || lists.function.contains(word) {
        Class::Function
    } else if lists.proper.contains(word) {
        Class::Proper
    } else if is_common_in(lists, word) {
        Class::Common
    } else {
        Class::Rare
    }
}

/// True for a word of everyday English: listed as common, or a common or function word with
/// a regular ending (`lives`, `voices`, `danced`, `crashing`, `darkness`, `others`).
fn is_common_in(lists: &Lists, word: &str) -> bool {
    if lists.common.contains(word) {
        return true;
    }
    const ENDINGS: [&str; 13] = [
        "s", "es", "ies", "ed", "d", "ing", "er", "ers", "ly", "ness", "less", "ful", "est",
    ];
    ENDINGS.iter().any(|ending| {
        let Some(stem) = word.strip_suffix(ending) else {
            return false;
        };
        if stem.len() < 3 {
            return false;
        }
        let known = |s: &str| lists.common.contains(s) || lists.function.contains(s);
        match *ending {
            // cities, carried
            "ies" => known(&format!("{stem}y")),
            // danced, dancing, bigger: the stem lost its `e` or doubled its last letter
            "ed" | "ing" | "er" | "ers" | "est" => {
                known(stem)
                    || known(&format!("{stem}e"))
                    || (stem.len() > 3
                        && stem.as_bytes().last() == stem.as_bytes().get(stem.len() - 2)
                        && stem.get(..stem.len() - 1).is_some_and(known))
                    || stem
                        .strip_suffix('i')
                        .is_some_and(|s| known(&format!("{s}y")))
            }
            _ => known(stem),
        }
    })
}

struct Lists {
    function: FxHashSet<&'static str>,
    common: FxHashSet<&'static str>,
    proper: FxHashSet<&'static str>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists {
        function: FUNCTION.split_whitespace().collect(),
        common: COMMON.split_whitespace().collect(),
        proper: PROPER.split_whitespace().collect(),
    })
}

/// Words that a message is full of whatever it is about.
const FUNCTION: &str = "
a an the and or but nor so yet if then than that this these those there here
i 1 me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
who whom whose which what whatever whoever whichever when where why how
am is are was were be been being do does did done doing have has had having
will would shall should can could may might must ought
im ive id ill youre youve youd youll hes shes weve were wed well theyre theyve theyd
isnt arent wasnt werent dont doesnt didnt havent hasnt hadnt wont wouldnt cant couldnt
shouldnt mustnt aint lets thats whats whos wheres theres heres hows
of in on at to for from by with without about above below under over into onto upon
out off up down through across along around among between behind beyond beside besides
near inside outside within via per against toward towards during before after since
until till unto amid
not no yes yeah yep nope ok okay oh ah uh um hmm eh huh wow hey hi hello bye
lol lmao rofl omg tbh idk imo imho btw fyi ngl smh irl pls plz thx ty np
very too also just only even still already again ever never always often sometimes
soon now then once twice maybe perhaps really quite rather pretty much more most less
least some any all both each every either neither none few many several such own same
other another else anything anyone anybody anywhere something someone somebody somewhere
nothing nobody nowhere everyone everybody
as like unlike because though although while whereas whether unless however therefore
thus hence anyway anyhow instead otherwise meanwhile
mr mrs ms dr st
";

/// Everyday English: what people say in chat about their day, their plans, the weather,
/// work, food, feelings and the things around them.
const COMMON: &str = "
able absolute absolutely accept accident account act action active actor actress actual
actually add address admit adult advance advice afraid afternoon age agent ago agree ahead
aid aim air alarm album alien alike alive allow almost alone already alright altogether
amazing amount angel anger angle angry animal ankle announce annual answer ant anxious
apart apartment appear apple apply appointment approach area argue argument arm army
arrange arrest arrival arrive art article artist ask asleep assume attack attempt attend
attention attitude audience aunt author autumn available average avoid awake award aware
away awesome awful awkward
baby back background bad badly bag bake baker balance ball ballet band bank bar bare
barely bark base basic basket bath bathroom battle bay beach bean bear beard beast beat
beautiful beauty become bed bedroom bee beef beer beg begin beginning believe bell belly
belong belt bench bend benefit best bet better big bike bill bird birth birthday bit bite
bitter black blade blame blank blanket blast bleed blind block blood bloody blow blue
board boat body boil bold bone bonus book boom boot border bored boring born borrow boss
bother bottle bottom bounce bound bow bowl box boy brain branch brave bread break
breakfast breath breathe breathless brick bride bridge brief bright brilliant bring broad
broke broken brother brown brush bubble buck bucket buddy budget bug build building bull
bullet bunch burn burst bury bus bush business busy butter button buy buzz
cabin cable cafe cage cake call calm camera camp campaign can cancel cancer candle candy
cap capital captain car card care career careful carpet carry cart case cash cast castle
cat catch cause ceiling celebrate cell cent center centre century certain certainly chain
chair challenge champion chance change channel chaos chapter character charge charm chart
chase chat cheap cheat check cheek cheer cheese chef cherry chest chicken chief child
childhood chill chip chocolate choice choose chop church circle circus citizen city claim
class classic clean clear clerk clever click client cliff climate climb clock close closed
closer closet cloth clothes cloud club clue coach coast coat code coffee coin cold collect
college color colour column combat come comedy comfort comic command comment common
company compare complain complete computer concern concert condition confidence confirm
confused connect consider contact contain content contest continue contract control cook
cookie cool cop copy core corn corner correct cost costume cottage couch cough could
council count counter country couple courage course court cousin cover cow crack craft
crash crazy cream create creature credit creep crew crime criminal crisis critic crop
cross crowd crown cruel crush cry cup cure curious current curse curtain curve custom
customer cut cute cycle
dad daddy daily damage damn dance danger dangerous dare dark darkness darling date
daughter dawn day dead deadline deaf deal dear death debt decade decide decision deck deep
deer defeat defend degree delay delicious deliver demand demon dentist deny depend depth
describe desert deserve design desk despair desperate destroy detail detective develop
devil diamond diary die diet difference different difficult dig dinner direct direction
dirt dirty disagree disappear disaster discover discuss disease dish dismiss distance
distant district dive divide divorce doctor document dog doll dollar door dot double doubt
dough downtown dozen draft drag dragon drain drama draw drawer dream dress drift drill
drink drive driver drop drown drug drum drunk dry duck dude due dull dumb dump during dust
duty
eager ear early earn earth ease easily east easy eat edge education effect effort egg
eight eighteen eighty elbow elder elect election electric elephant elevator eleven email
embarrassed emergency emotion empire empty end ending enemy energy engine enjoy enormous
enough enter entire entrance envelope equal error escape especially essay estate even
evening event eventually evidence evil exact exactly exam example excellent except
exchange excited exciting excuse exercise exist exit expect expensive experience expert
explain explode explore express extra extreme eye
face fact factory fail failure fair fairly faith fake fall false fame familiar family
famous fan fancy fantastic fantasy far farm farmer fashion fast fat fate father fault
favor favorite favourite fear feast feather feature fee feed feel feeling fellow female
fence festival fever few field fifteen fifty fight figure file fill film final finally
find fine finger finish fire firm first fish fit five fix flag flame flash flat flavor
flesh flight float flood floor flour flower flu fly focus fog fold folk follow following
food fool foot football force forest forever forget forgive fork form formal former
fortune forty forward found four fourteen fox frame free freedom freeze fresh fridge
friend friendly friendship frog front frost frozen fruit fry fuel full fun funeral funny
fur furniture future
gain game gang gap garage garbage garden gas gate gather gear general generation gentle
gentleman genuine get ghost giant gift girl girlfriend give glad glance glass global glove
glow glue goal goat god gold golden golf gone good goodbye goodnight gorgeous gossip
govern government grab grace grade grain gram grand grandma grandpa grandfather
grandmother grant grape grass grateful grave gravity gray great greed green grey grief
grin grip groom gross ground group grow growth guarantee guard guess guest guide guilt
guilty guitar gun gut guy gym
habit hair haircut half hall hammer hand handle handsome hang happen happily happy harbor
hard hardly harm hat hate head headache health healthy hear heart heat heaven heavy heel
height hell help hero hidden hide high highway hill hint hip hire history hit hobby hold
hole holiday hollow holy home homework honest honey honor hook hope horrible horror horse
hospital host hot hotel hour house household huge human humor hundred hunger hungry hunt
hurry hurt husband
ice idea ideal identity idiot ignore ill illegal image imagine immediately impact
important impossible improve inch include income increase indeed independent indoor
industry infant information injury ink innocent insect insist instance instant insurance
intelligent intend interest interesting internet interview introduce invent invest invite
iron island issue item
jacket jail jam jar jaw jazz jealous jeans jelly jerk jet jewel job join joint joke
journal journey joy judge juice jump jungle junior junk jury justice
keen keep kettle key kick kid kill killer kind king kingdom kiss kit kitchen kitten knee
knife knock knot know knowledge
lab label labor ladder lady lake lamb lamp land lane language lap large last late lately
later laugh laundry law lawn lawyer lay layer lazy lead leader leaf league lean learn
least leather leave lecture left leg legal legend lemon lend length lesson letter level
liar library lid lie life lift light likely limit line link lion lip list listen little
live lively load loan local lock lonely long look loose lord lose loss lost lot loud love
lovely lover low loyal luck lucky lunch lung
machine mad madness magazine magic mail main major make male mall man manage manager
manner many map march mark market marriage married marry mask mass master match mate
material math matter meal mean meaning measure meat medal medicine medium meet meeting
member memory mental mention menu mercy mess message metal method middle midnight might
mild mile military milk mill mind mine minor minute mirror miss mission mistake mix
model modern mom mommy moment money monkey monster month mood moon moonlight moral morning
mother motor mountain mouse mouth move movie mud mug murder muscle museum music musical
mystery
nail naked name narrow nasty nation national native natural nature naughty navy near
nearly neat necessary neck need needle negative neighbor neighbour nephew nerve nervous
nest net network new news newspaper next nice niece night nightmare nine nineteen ninety
noise noisy noon normal north nose note notice novel number nurse nut
oak object obvious ocean odd offer office officer official oil old older open opening
opera operation opinion opportunity opposite orange order ordinary organ original outcome
outdoor oven owe owner
pace pack package page pain paint painting pair palace pale palm pan panic paper parade
parasite pardon parent park parking part particular partner party pass passage passenger
passion past path patience patient pattern pause pay peace peaceful peak pen pencil
people pepper perfect perform performance period person personal pet phone photo physical
piano pick picnic picture pie piece pig pile pill pillow pilot pin pink pipe pirate pit
pitch pity pizza place plain plan plane planet plant plastic plate play player playground
pleasant please pleasure plenty plot plus pocket poem poet point poison pole police
polite political pool poor pop popular porch position positive possible post pot potato
pound pour powder power practice praise pray prayer prefer pregnant prepare present
president press pressure pretend pretty prevent price pride priest prince princess print
prison private prize probably problem process produce product professor program progress
project promise proof proper property protect proud prove public pull pump punch punish
pupil puppy pure purple purpose purse push put puzzle
quality quarter queen question quick quiet quit quite quote
rabbit race radio rage rail rain rainbow raise random range rank rare rat rate raw reach
react read ready real reality realize reason rebel receive recent recipe recognize record
red reduce refuse region regret regular relate relationship relax release relief remain
remember remind remote remove rent repair repeat replace reply report request rescue
research respect responsible rest restaurant result return reveal revenge review reward
rhythm rice rich ride ridiculous right ring rise risk river road rob rock role roll
romance romantic roof room root rope rose rough round route routine row royal rub rude
ruin rule rules run rush
sad safe safety sail salad salary sale salt same sand sandwich satisfy sauce save say
scale scan scare scared scary scene schedule school science score scream screen screw sea
search season seat second secret secretary section secure security see seed seek seem
seldom select self selfish sell send senior sense sentence separate serious servant serve
service session set settle seven seventeen seventy several severe sex shade shadow shake
shall shame shape share shark sharp shave sheep sheet shelf shell shelter shift shine
ship shirt shock shoe shoot shop shore short shot shoulder shout show shower shut shy
sick side sight sign signal silence silent silk silly silver simple sin sing singer
single sink sister sit site situation six sixteen sixty size skill skin skirt sky sleep
sleepy slice slide slight slip slow small smart smell smile smoke smooth snack snake snap
snow soap soccer social sock soft soil soldier solid solution solve son song soon sorry
sort soul sound soup sour south space spare speak special speech speed spell spend spice
spicy spider spill spin spirit spit splash split spoil spoon sport spot spray spread
spring spy square squeeze stable staff stage stair stairs stake stamp stand standard star
stare start state station stay steady steak steal steam steel step stick stiff still
sting stock stomach stone stop store storm story straight strange stranger strategy straw
stream street strength stress stretch strict strike string strip stroke strong struggle
student studio study stuff stupid style subject succeed success suck sudden sugar suggest
suit summer sun sunny sunrise sunset super supermarket supper supply support suppose sure
surface surgery surprise surround survive suspect swallow swear sweat sweater sweep sweet
swim swing switch sword symbol system
table tail take tale talent talk tall tank tap tape target task taste tax taxi tea teach
teacher team tear tease teen teenager teeth telephone television tell temper temperature
temple ten tend tennis tent term terrible test text thank thanks theater theatre theme
theory thick thief thin thing think third thirsty thirteen thirty thought thousand thread
threat three throat throne throw thumb thunder ticket tidy tie tiger tight till time tiny
tip tired title toast today toe together toilet tomato tomorrow ton tone tongue tonight
tool tooth top topic total touch tough tour tourist towel tower town toy track trade
traffic trail train training transport trap trash travel treasure treat tree trend trial
trick trip trouble truck true truly trunk trust truth try tube tune tunnel turn twelve
twenty twin twist type typical
ugly umbrella uncle understand uniform union unique unit universe university unknown upper
upset urban urge use used useful usual usually
vacation valley valuable value van various vast vegetable vehicle version vet victim
victory video view village violence violent visit voice volume vote
wage waist wait wake walk wall wallet wander want war warm warn wash waste watch water
wave way weak wealth weapon wear weather wedding week weekend weigh weight weird welcome
west wet whale wheel whisper whistle white whole wide wife wild win wind window wine wing
winner winter wire wise wish witch witness wolf woman wonder wonderful wood wooden word
work worker world worm worry worse worst worth wound wrap wrist write writer wrong
yard yawn year yell yellow yesterday young youth
zero zone zoo
across almost alone along amongst anytime anyway awhile backwards barely basically
beforehand certainly clearly completely definitely entirely everything everywhere exactly
extremely finally forward fully generally honestly hopefully instead literally mainly
mostly naturally nearly obviously overall partly personally possibly previously probably
properly quickly rarely recently seriously simply slightly slowly somehow sometime
somewhat surely terribly totally truly twice ultimately unfortunately usually yet
brunch dinner supper lunchtime breakfast homemade leftovers takeout groceries recipe
laptop phone charger wifi password screen keyboard app email inbox meeting deadline
commute train bus subway tram flight airport luggage passport hotel hostel beach pool
gym workout run jog hike bike swim yoga stretch nap snooze alarm
rainy cloudy windy foggy stormy humid chilly freezing sunny snowy
cinema popcorn trailer sequel remake series episode season binge stream streaming
ticket seat screening premiere festival critic review rating spoiler spoilers plot twist
ending scene cast crew director script screenplay soundtrack score credits runtime
quiet loud slow fast long short early late huge tiny massive enormous
was were been being did done had made said went gone took taken gave given got gotten came
saw seen knew known thought told found left felt kept held brought bought caught taught sold
sent spent built meant met paid stood understood wrote written spoke spoken broke chose chosen
drove driven ate eaten fell fallen flew flown grew grown threw thrown wore worn won lost sat
ran began begun sang sung drank swam rang hid forgot forgotten forgave rode ridden rose risen
shook shaken stole stolen woke woken froze bit bitten fed led fought sought slept swept wept
dealt dreamt learnt burnt lent bent shot hung stuck struck dug lit slid spun sprang stung
swung wound ground laid lain hurt cost quit shut spread upset
flaw flawless incredible incredibly amazing unbelievable awesome terrific fabulous gorgeous
brilliant superb stunning marvelous marvellous horrible dreadful boring overrated underrated

monday tuesday wednesday thursday friday saturday sunday weekday
january february april june july august september october november december
christmas halloween easter thanksgiving valentine valentines birthday anniversary holiday
internet online offline website youtube google instagram tiktok twitter reddit discord
server channel meme memes emoji podcast playlist spotify vlog blog selfie hashtag
gladiator titanic casino memento mummy dune bolt hulk hitch terminal zodiac legend
abyss academy accent acid acre addict admiral adventure affair agony airline alley
altar amateur ambulance ambush anchor anthem antique apocalypse appetite apron arcade
arch arena armor armour arrow ash assassin asylum atlas attic auction avalanche
bachelor badge bait ballad balloon bandit banker bargain barn barrel barrier basement
bat battery bay bazaar beacon beast beetle beggar bell berry bible biscuit bishop blaze
blizzard blossom boulder bounty boxer bracelet brass breeze brew bribe brigade broom
buffalo bulldog bullseye bunker burger butcher butterfly cabaret cactus caddy cadet
canal canary candidate cannon canyon carnival carriage cartoon casket cathedral cavalry
cave cemetery chamber champagne chaplain chariot charity cheerleader chemistry chimney
choir cigar cigarette circuit clan clash clinic clown cobra cocktail coffin colony comet
commander compass comrade confession conspiracy convict corporal corpse corridor cowboy
coyote crater crow cruise crusade crystal cult cupboard curfew cyclone dagger dam
debutante decoy deed delta deputy desperado destiny diner dinosaur diplomat disco
dolphin domino donkey doom dove dragonfly drifter duel dune dungeon dynasty eagle eclipse
elephant elevator embassy empire enigma envoy epic escort exile exodus explosion
express fable falcon fang farewell fiddle firefly fireworks flamingo fleet flood
fortress fountain frontier fugitive funnel gallery gambler gangster garlic gauntlet
gazette genius gentleman geyser ghetto gladiator glacier goblin gondola gorilla graffiti
graveyard gremlin grizzly guardian guerrilla gunfight gypsy hacker hangover harbour harem
harvest hatchet haven hawk hazard headline heiress helicopter heritage hermit heist
hideout hijack hitchhiker honeymoon hood horizon hornet hostage hound hunter hurricane
hustler hymn iceberg idol igloo illusion immigrant impostor incident inferno inmate
insider intruder invader invasion island ivory jackal jackpot janitor jester jockey
journey juggler jukebox karate kidnap knight labyrinth lagoon lantern laser legacy
legion leopard lighthouse limbo limousine lizard lobster locket lottery lullaby lunatic
madhouse magnet magnolia maid mammoth mansion marathon marshal martyr mascot massacre
matador maze mayor meadow medic mercenary mermaid messenger meteor militia millionaire
miner minister miracle mirage misfit missile mob mole monarch monk monsoon mosaic
mountaineer mummy musketeer mustang mutiny myth nanny navigator necklace nemesis
neon nomad nugget nun oasis obsession octopus odyssey omen operator oracle orbit
orchard orchestra orphan outlaw outpost owl pagan palace panther parachute paradise
pardon parrot passport patriot pawn peacock pearl pelican penguin pharaoh phantom
pharmacy pilgrim pinball pioneer pirate pistol planet plantation platoon plumber poacher
poltergeist pony portrait posse potion preacher predator prey prodigy prophet prophecy
prowler psycho pumpkin puppet pyramid quarry quest rabbi raccoon radar raider rally
ranch ranger rapids raven rebel recruit refugee reindeer relic remedy reptile rescue
riddle riot ritual rival robot rodeo rogue rookie rooster ruby runaway rustler saboteur
saga sailor saint salesman saloon samba sanctuary sapphire satellite savage scandal
scarecrow scavenger scorpion scout sculptor serpent settler shack shaman sheriff shipwreck
shortcut showdown shrine siege siren skeleton skyscraper slave smuggler sniper soldier
sorcerer spaceship spectre sphinx spitfire sprinter squadron stagecoach stallion stampede
starlight stowaway stranger submarine suburb suitcase sultan summit superstar surfer
survivor swamp swan sweetheart swindle tango tattoo tavern tempest temptress
tenant terminator terror thriller thunderbolt tornado torpedo tournament tracker
traitor tramp trapeze traveller treasure trespass tribe trooper trophy tsunami tugboat
tumbleweed tycoon typhoon umpire underdog undertaker unicorn usher vagabond valet vampire
vandal vault vendetta venom veteran viking villa villain vineyard violin viper volcano
voodoo voyage vulture waitress walrus wanderer warlock warrior waterfall werewolf
whirlwind widow wildcat windmill wizard wolverine wrestler yacht yankee zombie

vertigo metropolis parasite alien aliens moonlight breathless general
boulevard driver lives voices rain rules thing game space man men woman women
everyone nightmare street hunger games darkness twilight whisper
";

/// Names written with a capital whatever they name: places, people, honorifics.
const PROPER: &str = "
america american africa african asia asian europe european australia australian canada
canadian mexico mexican brazil brazilian argentina chile peru colombia cuba jamaica
england english britain british scotland scottish ireland irish wales welsh france french
paris germany german berlin munich hamburg italy italian rome venice milan naples florence
spain spanish madrid barcelona seville portugal lisbon porto greece greek athens turkey
istanbul egypt cairo morocco casablanca marrakech tangier rabat tunisia algeria kenya
nairobi nigeria lagos ghana ethiopia russia russian moscow ukraine kyiv kiev poland warsaw
prague vienna austria hungary budapest sweden stockholm norway oslo denmark copenhagen
finland helsinki iceland holland dutch amsterdam belgium brussels switzerland geneva
zurich japan japanese tokyo kyoto osaka china chinese beijing shanghai hong kong korea
korean seoul india indian delhi mumbai bombay bangkok thailand vietnam hanoi saigon
singapore manila philippines indonesia bali jakarta sydney melbourne auckland zealand
london manchester liverpool birmingham leeds glasgow edinburgh dublin belfast cardiff
oxford cambridge brighton bristol york
texas california florida alaska hawaii nevada arizona utah colorado oregon washington
montana georgia carolina virginia ohio michigan chicago illinois detroit boston
philadelphia pittsburgh baltimore atlanta miami orlando tampa houston dallas austin
phoenix denver seattle portland vegas angeles francisco diego jose nashville memphis
orleans louisiana kentucky tennessee alabama mississippi missouri kansas iowa nebraska
dakota minnesota wisconsin indiana brooklyn manhattan bronx queens harlem hollywood
malibu fargo alamo toronto montreal vancouver quebec ottawa
john james robert michael william david richard joseph thomas charles chris christopher
daniel matthew anthony paul steven steve andrew andy joshua josh kevin brian george
tim timothy ronald edward jason jeff jeffrey ryan jacob gary nicholas nick eric jonathan
stephen larry justin scott brandon frank ben benjamin greg gregory sam samuel raymond
patrick alex alexander jack dennis jerry tyler aaron henry adam peter pete nathan zach
kyle walter harold jeremy ethan carl keith roger gerald christian terry sean arthur
austin noah lawrence jesse joe bryan billy bob bobby jordan albert dylan bruce
willie gabriel alan juan logan wayne ralph roy eugene randy vincent russell louis
philip phil bobbie johnny harry tom tommy jim jimmy mike dave danny max leo oliver jake
luke simon victor hugo felix oscar otto ivan igor carlos pedro diego luis jose miguel
mary patricia jennifer jen linda elizabeth liz barbara susan jessica sarah karen nancy
lisa betty margaret sandra ashley kimberly kim emily donna michelle dorothy carol amanda
melissa deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela helen
anna anne annie brenda pamela nicole emma samantha katherine kate christine debra rachel
catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia
kelly christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline
frances gloria ann teresa kathryn sara janice jean alice madison doris abigail julia
judy denise amber marilyn beverly danielle theresa sophia marie diana brittany
natalie isabella charlotte alexis kayla lily sabrina carrie chloe zoe iris ella
mia ava ellie lucy amelia harper bella stella luna nora hazel violet ruby jane
smith johnson williams jones davis miller wilson moore taylor anderson jackson
harris martin thompson garcia martinez robinson clark rodriguez lewis lee walker
allen wright lopez adams nelson carter mitchell perez
roberts turner phillips campbell parker evans edwards collins stewart morris murphy
rogers morgan cooper peterson reed bailey kelly howard cox ward richardson watson brooks
james bennett hughes sanders myers ross foster nixon patton gandhi
lincoln kennedy reagan obama trump churchill napoleon caesar cleopatra shakespeare

";
