package shared

// An EmojiGroup is a titled run of emoji offered together by a picker.
type EmojiGroup struct {
	Name string
	// Shortcodes are the names of its emoji, in the order shown; each is
	// a key of the shortcode table (see Emoji).
	Shortcodes []string
}

// Emoji returns the emoji a shortcode names ("tada" gives "🎉"; the name
// is given without its colons) and whether it is known. Names are lower
// case; aliases ("+1" and "thumbsup") give the same emoji.
func Emoji(name string) (string, bool) {
	e, ok := emojiByName[name]
	return e, ok
}

// EmojiGroups returns the emoji a picker offers, grouped and ordered. The
// slice is shared: callers must not change it.
func EmojiGroups() []EmojiGroup { return emojiGroups }

// maxShortcodeBytes is the longest name in emojiByName; a parser looks no
// further for the closing colon.
const maxShortcodeBytes = 32

// emojiByName is the shortcode table: the common names of GitHub and
// Slack. Every name is at most maxShortcodeBytes long and made of
// [a-z0-9_+-] (checked by a test).
var emojiByName = map[string]string{
	// Smileys
	"smile": "😄", "smiley": "😃", "grinning": "😀", "grin": "😁", "laughing": "😆", "satisfied": "😆",
	"sweat_smile": "😅", "joy": "😂", "rofl": "🤣", "slightly_smiling_face": "🙂", "upside_down_face": "🙃",
	"wink": "😉", "blush": "😊", "innocent": "😇", "heart_eyes": "😍", "star_struck": "🤩",
	"kissing_heart": "😘", "yum": "😋", "stuck_out_tongue": "😛", "stuck_out_tongue_winking_eye": "😜",
	"zany_face": "🤪", "money_mouth_face": "🤑", "hugs": "🤗", "hugging_face": "🤗", "shushing_face": "🤫",
	"thinking": "🤔", "thinking_face": "🤔", "zipper_mouth_face": "🤐", "raised_eyebrow": "🤨",
	"neutral_face": "😐", "expressionless": "😑", "no_mouth": "😶", "smirk": "😏", "unamused": "😒",
	"roll_eyes": "🙄", "grimacing": "😬", "relieved": "😌", "pensive": "😔", "sleepy": "😪",
	"sleeping": "😴", "mask": "😷", "face_with_thermometer": "🤒", "nauseated_face": "🤢",
	"sneezing_face": "🤧", "hot_face": "🥵", "cold_face": "🥶", "woozy_face": "🥴", "dizzy_face": "😵",
	"exploding_head": "🤯", "cowboy_hat_face": "🤠", "partying_face": "🥳", "sunglasses": "😎",
	"nerd_face": "🤓", "monocle_face": "🧐", "confused": "😕", "worried": "😟", "frowning_face": "☹️",
	"open_mouth": "😮", "hushed": "😯", "astonished": "😲", "flushed": "😳", "pleading_face": "🥺",
	"fearful": "😨", "cold_sweat": "😰", "cry": "😢", "sob": "😭", "scream": "😱", "confounded": "😖",
	"persevere": "😣", "disappointed": "😞", "sweat": "😓", "weary": "😩", "tired_face": "😫",
	"yawning_face": "🥱", "triumph": "😤", "rage": "😡", "angry": "😠", "skull": "💀",
	"poop": "💩", "hankey": "💩", "clown_face": "🤡", "ghost": "👻", "alien": "👽", "robot": "🤖",
	"smiley_cat": "😺", "see_no_evil": "🙈", "hear_no_evil": "🙉", "speak_no_evil": "🙊",
	"face_palm": "🤦", "facepalm": "🤦", "shrug": "🤷", "melting_face": "🫠", "saluting_face": "🫡",

	// People
	"wave": "👋", "raised_hand": "✋", "hand": "✋", "vulcan_salute": "🖖", "ok_hand": "👌",
	"pinched_fingers": "🤌", "v": "✌️", "crossed_fingers": "🤞", "metal": "🤘", "call_me_hand": "🤙",
	"point_left": "👈", "point_right": "👉", "point_up": "☝️", "point_up_2": "👆", "point_down": "👇",
	"+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "fist": "✊", "facepunch": "👊",
	"punch": "👊", "clap": "👏", "raised_hands": "🙌", "open_hands": "👐", "handshake": "🤝",
	"pray": "🙏", "writing_hand": "✍️", "muscle": "💪", "eyes": "👀", "eye": "👁️", "brain": "🧠",
	"baby": "👶", "man": "👨", "woman": "👩", "older_man": "👴", "older_woman": "👵",
	"person_raising_hand": "🙋", "bow": "🙇", "man_dancing": "🕺", "dancer": "💃",
	"runner": "🏃", "running": "🏃", "walking": "🚶", "ninja": "🥷", "superhero": "🦸",
	"technologist": "🧑‍💻", "santa": "🎅",

	// Nature
	"dog": "🐶", "cat": "🐱", "mouse": "🐭", "rabbit": "🐰", "fox_face": "🦊", "bear": "🐻",
	"panda_face": "🐼", "koala": "🐨", "tiger": "🐯", "lion": "🦁", "cow": "🐮", "pig": "🐷",
	"frog": "🐸", "monkey_face": "🐵", "chicken": "🐔", "penguin": "🐧", "bird": "🐦",
	"owl": "🦉", "unicorn": "🦄", "bee": "🐝", "bug": "🐛", "butterfly": "🦋", "snail": "🐌",
	"turtle": "🐢", "snake": "🐍", "octopus": "🐙", "crab": "🦀", "whale": "🐳", "dolphin": "🐬",
	"fish": "🐟", "shark": "🦈", "hamster": "🐹", "sloth": "🦥",
	"cactus": "🌵", "christmas_tree": "🎄", "evergreen_tree": "🌲", "deciduous_tree": "🌳",
	"seedling": "🌱", "herb": "🌿", "four_leaf_clover": "🍀", "fallen_leaf": "🍂",
	"mushroom": "🍄", "rose": "🌹", "sunflower": "🌻", "tulip": "🌷", "cherry_blossom": "🌸",
	"sunny": "☀️", "sun_with_face": "🌞", "full_moon": "🌕", "crescent_moon": "🌙", "star": "⭐",
	"star2": "🌟", "sparkles": "✨", "zap": "⚡", "fire": "🔥", "boom": "💥", "snowflake": "❄️",
	"rainbow": "🌈", "cloud": "☁️", "umbrella": "☂️", "droplet": "💧", "ocean": "🌊",
	"earth_africa": "🌍", "earth_americas": "🌎", "globe_with_meridians": "🌐", "volcano": "🌋",

	// Food
	"apple": "🍎", "green_apple": "🍏", "banana": "🍌", "watermelon": "🍉", "grapes": "🍇",
	"strawberry": "🍓", "peach": "🍑", "cherries": "🍒", "lemon": "🍋", "avocado": "🥑",
	"eggplant": "🍆", "carrot": "🥕", "corn": "🌽", "hot_pepper": "🌶️", "bread": "🍞",
	"cheese": "🧀", "egg": "🥚", "bacon": "🥓", "hamburger": "🍔", "fries": "🍟", "pizza": "🍕",
	"hotdog": "🌭", "taco": "🌮", "burrito": "🌯", "sushi": "🍣", "ramen": "🍜", "spaghetti": "🍝",
	"popcorn": "🍿", "doughnut": "🍩", "cookie": "🍪", "birthday": "🎂", "cake": "🍰",
	"chocolate_bar": "🍫", "candy": "🍬", "ice_cream": "🍨", "coffee": "☕", "tea": "🍵",
	"beer": "🍺", "beers": "🍻", "wine_glass": "🍷", "cocktail": "🍸", "champagne": "🍾",
	"clinking_glasses": "🥂",

	// Activities and objects
	"tada": "🎉", "confetti_ball": "🎊", "balloon": "🎈", "gift": "🎁", "trophy": "🏆",
	"medal_sports": "🏅", "1st_place_medal": "🥇", "soccer": "⚽", "basketball": "🏀",
	"football": "🏈", "tennis": "🎾", "video_game": "🎮", "game_die": "🎲", "dart": "🎯",
	"jigsaw": "🧩", "art": "🎨", "musical_note": "🎵", "notes": "🎶", "guitar": "🎸",
	"microphone": "🎤", "headphones": "🎧", "movie_camera": "🎥", "camera": "📷", "tv": "📺",
	"computer": "💻", "keyboard": "⌨️", "desktop_computer": "🖥️", "iphone": "📱", "phone": "☎️",
	"telephone": "☎️", "battery": "🔋", "electric_plug": "🔌", "bulb": "💡", "flashlight": "🔦",
	"wrench": "🔧", "hammer": "🔨", "hammer_and_wrench": "🛠️", "gear": "⚙️", "nut_and_bolt": "🔩",
	"link": "🔗", "lock": "🔒", "unlock": "🔓", "key": "🔑", "mag": "🔍", "bell": "🔔",
	"no_bell": "🔕", "loudspeaker": "📢", "mega": "📣", "book": "📖", "books": "📚",
	"memo": "📝", "pencil": "📝", "pencil2": "✏️", "pushpin": "📌", "paperclip": "📎",
	"scissors": "✂️", "clipboard": "📋", "calendar": "📆", "date": "📅", "chart_with_upwards_trend": "📈",
	"chart_with_downwards_trend": "📉", "bar_chart": "📊", "package": "📦", "email": "📧",
	"envelope": "✉️", "inbox_tray": "📥", "outbox_tray": "📤", "file_folder": "📁",
	"hourglass": "⌛", "hourglass_flowing_sand": "⏳", "alarm_clock": "⏰", "stopwatch": "⏱️",
	"watch": "⌚", "moneybag": "💰", "dollar": "💵", "credit_card": "💳", "gem": "💎",
	"rocket": "🚀", "airplane": "✈️", "car": "🚗", "bike": "🚲", "ship": "🚢", "construction": "🚧",
	"rotating_light": "🚨", "house": "🏠", "office": "🏢", "hospital": "🏥", "crown": "👑",
	"eyeglasses": "👓", "tophat": "🎩", "shopping_cart": "🛒", "pill": "💊", "syringe": "💉",
	"dna": "🧬", "test_tube": "🧪", "microscope": "🔬", "telescope": "🔭", "satellite": "📡",
	"bomb": "💣", "crystal_ball": "🔮", "magic_wand": "🪄", "broom": "🧹", "wastebasket": "🗑️",
	"label": "🏷️", "bookmark": "🔖", "triangular_flag_on_post": "🚩", "checkered_flag": "🏁",
	"white_flag": "🏳️", "pirate_flag": "🏴‍☠️", "beach_umbrella": "🏖️", "zzz": "💤",

	// Symbols
	"heart": "❤️", "red_heart": "❤️", "orange_heart": "🧡", "yellow_heart": "💛", "green_heart": "💚",
	"blue_heart": "💙", "purple_heart": "💜", "black_heart": "🖤", "white_heart": "🤍",
	"broken_heart": "💔", "two_hearts": "💕", "sparkling_heart": "💖", "heartpulse": "💗",
	"heartbeat": "💓", "revolving_hearts": "💞", "cupid": "💘", "100": "💯", "anger": "💢",
	"speech_balloon": "💬", "thought_balloon": "💭", "check": "✔️", "heavy_check_mark": "✔️",
	"white_check_mark": "✅", "ballot_box_with_check": "☑️", "x": "❌", "negative_squared_cross_mark": "❎",
	"heavy_multiplication_x": "✖️", "heavy_plus_sign": "➕", "heavy_minus_sign": "➖",
	"warning": "⚠️", "no_entry": "⛔", "no_entry_sign": "🚫", "stop_sign": "🛑",
	"question": "❓", "grey_question": "❔", "exclamation": "❗", "heavy_exclamation_mark": "❗",
	"bangbang": "‼️", "interrobang": "⁉️", "information_source": "ℹ️", "recycle": "♻️",
	"infinity": "♾️", "copyright": "©️", "registered": "®️", "tm": "™️", "new": "🆕", "free": "🆓",
	"up": "🆙", "cool": "🆒", "ok": "🆗", "sos": "🆘", "top": "🔝", "soon": "🔜", "back": "🔙",
	"arrow_up": "⬆️", "arrow_down": "⬇️", "arrow_left": "⬅️", "arrow_right": "➡️",
	"arrows_counterclockwise": "🔄", "repeat": "🔁", "red_circle": "🔴", "orange_circle": "🟠",
	"yellow_circle": "🟡", "green_circle": "🟢", "large_blue_circle": "🔵", "purple_circle": "🟣",
	"black_circle": "⚫", "white_circle": "⚪", "small_red_triangle": "🔺",
	"small_red_triangle_down": "🔻", "hash": "#️⃣", "zero": "0️⃣", "one": "1️⃣", "two": "2️⃣",
	"three": "3️⃣", "four": "4️⃣", "five": "5️⃣", "six": "6️⃣", "seven": "7️⃣", "eight": "8️⃣",
	"nine": "9️⃣", "keycap_ten": "🔟", "musical_score": "🎼", "peace_symbol": "☮️",
	"yin_yang": "☯️", "atom_symbol": "⚛️", "radioactive": "☢️", "biohazard": "☣️",
}

// emojiGroups is what a picker offers: one name for each emoji (no
// aliases), the most used first in each group.
var emojiGroups = []EmojiGroup{
	{Name: "Smileys", Shortcodes: []string{
		"smile", "joy", "rofl", "slightly_smiling_face", "wink", "blush", "heart_eyes", "star_struck",
		"kissing_heart", "yum", "stuck_out_tongue_winking_eye", "thinking", "hugs", "shushing_face",
		"raised_eyebrow", "neutral_face", "smirk", "roll_eyes", "grimacing", "relieved", "pensive",
		"sleeping", "mask", "exploding_head", "partying_face", "sunglasses", "nerd_face", "confused",
		"open_mouth", "flushed", "pleading_face", "cry", "sob", "scream", "weary", "rage", "skull",
		"poop", "clown_face", "ghost", "robot", "see_no_evil", "melting_face", "saluting_face",
	}},
	{Name: "People", Shortcodes: []string{
		"wave", "+1", "-1", "ok_hand", "clap", "raised_hands", "pray", "handshake", "muscle",
		"v", "crossed_fingers", "metal", "call_me_hand", "point_up", "point_right", "point_down",
		"fist", "raised_hand", "writing_hand", "eyes", "brain", "facepalm", "shrug", "bow",
		"person_raising_hand", "man_dancing", "dancer", "runner", "ninja", "technologist",
	}},
	{Name: "Nature", Shortcodes: []string{
		"dog", "cat", "fox_face", "bear", "panda_face", "unicorn", "bee", "bug", "butterfly",
		"turtle", "snake", "octopus", "crab", "whale", "hamster", "sloth", "cactus", "evergreen_tree",
		"seedling", "four_leaf_clover", "rose", "sunflower", "cherry_blossom", "sunny", "crescent_moon",
		"star", "sparkles", "zap", "fire", "boom", "snowflake", "rainbow", "droplet", "ocean",
		"earth_africa",
	}},
	{Name: "Food", Shortcodes: []string{
		"apple", "banana", "watermelon", "strawberry", "avocado", "hot_pepper", "bread", "cheese",
		"hamburger", "fries", "pizza", "taco", "sushi", "ramen", "popcorn", "doughnut", "cookie",
		"birthday", "chocolate_bar", "ice_cream", "coffee", "tea", "beer", "beers", "wine_glass",
		"champagne", "clinking_glasses",
	}},
	{Name: "Objects", Shortcodes: []string{
		"tada", "confetti_ball", "balloon", "gift", "trophy", "1st_place_medal", "soccer", "video_game",
		"dart", "jigsaw", "art", "notes", "guitar", "headphones", "camera", "computer", "keyboard",
		"iphone", "bulb", "wrench", "hammer_and_wrench", "gear", "link", "lock", "key", "mag", "bell",
		"mega", "books", "memo", "pushpin", "paperclip", "calendar", "chart_with_upwards_trend",
		"bar_chart", "package", "email", "hourglass_flowing_sand", "alarm_clock", "moneybag", "gem",
		"rocket", "airplane", "construction", "rotating_light", "house", "crown", "pill", "test_tube",
		"bomb", "crystal_ball", "wastebasket", "checkered_flag", "zzz",
	}},
	{Name: "Symbols", Shortcodes: []string{
		"heart", "orange_heart", "yellow_heart", "green_heart", "blue_heart", "purple_heart",
		"black_heart", "broken_heart", "two_hearts", "sparkling_heart", "100", "speech_balloon",
		"thought_balloon", "check", "white_check_mark", "x", "heavy_plus_sign", "heavy_minus_sign",
		"warning", "no_entry", "no_entry_sign", "question", "exclamation", "bangbang",
		"information_source", "recycle", "new", "cool", "ok", "sos", "soon", "arrow_up",
		"arrow_down", "arrow_left", "arrow_right", "repeat", "red_circle", "green_circle",
		"large_blue_circle", "hash", "keycap_ten", "infinity",
	}},
}
