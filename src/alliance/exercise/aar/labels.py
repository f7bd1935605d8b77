"""The report's fixed words, in both languages, shared by every format."""

from __future__ import annotations

from alliance.core.exercise import FICTIONAL
from alliance.core.i18n import Text

TITLE = Text("After-action report", "事後検討報告（AAR）")
FICTIONAL_NOTE = Text(
    f"{FICTIONAL}: exercise content, not a real operation",
    f"{FICTIONAL}（架空）：演習用の内容であり、実際の作戦ではありません",
)
READER = Text("Prepared for", "提供先")
GENERATED = Text("Generated", "作成日時")
EXERCISE = Text("Exercise", "演習")
PARTICIPANTS = Text("Participants", "参加国・司令部")
H_HOUR = Text("H-hour (exercise time)", "Hアワー（演習時刻）")
CLOCK_SPEED = Text("Clock speed", "時計倍率")
START = Text("Started (real time)", "開始（実時刻）")
END = Text("Ended (real time)", "終了（実時刻）")
NOT_YET = Text("not yet", "未")

TIMELINE = Text("Timeline of injects and responses", "状況付与と対応の時系列")
OBJECTIVES = Text("Training objective ratings", "訓練目標の評価")
INJECTS = Text("Injects", "状況付与")
OBSERVATIONS = Text("Observed responses", "観察された対応")
EVALUATIONS = Text("Evaluations", "評価")
NONE_YET = Text("None yet.", "まだありません。")

# Column headings.
CODE = Text("Objective", "訓練目標")
TITLE_COL = Text("Title", "名称")
OWNER = Text("Owner", "所有国")
OVERALL = Text("Overall", "総合評価")
TOTAL = Text("Evaluations", "評価数")
SERIAL = Text("Serial", "通番")
DUE_EX = Text("Due (exercise time)", "予定（演習時刻）")
ADDRESSEE = Text("Addressee HQ", "宛先司令部")
METHOD = Text("Method", "付与手段")
DESCRIPTION = Text("Description", "内容")
DELIVERED = Text("Delivered (real time)", "付与（実時刻）")
LATENESS = Text("Lateness", "遅延")
NOT_DELIVERED = Text("not delivered", "未付与")
PLAYER_HQ = Text("Player HQ", "対応司令部")
OBSERVED = Text("Observed", "観察時刻")
RESPONSE = Text("Response", "対応")
AUTHOR = Text("Recorded by", "記録者")
RATING = Text("Rating", "評価")
COMMENT = Text("Comment", "所見")
EVALUATOR = Text("Evaluator", "評価者")

RATING_RULE = Text(
    "Overall: the worst rating given at least {n} time(s); an objective is "
    "T only when each observed response met the standard.",
    "総合評価：{n}回以上付けられた評価のうち最も低いもの。観察されたすべての対応が"
    "基準を満たした場合に限りTとします。",
)

# The timeline plot.
PLOT_X = Text("Exercise time (UTC)", "演習時刻（UTC）")
PLOT_ON_TIME = Text("inject delivered on time", "状況付与（定時）")
PLOT_LATE = Text("inject delivered late (bar: lateness)", "状況付与（遅延、棒は遅延量）")
PLOT_PENDING = Text("inject not delivered", "状況付与（未付与）")
PLOT_RESPONSE = Text("observed response", "観察された対応")
PLOT_EMPTY = Text("No injects yet.", "状況付与はまだありません。")
FONT_MISSING = Text(
    "Japanese font not installed (Debian: fonts-noto-cjk, fonts-ipaexfont-gothic; "
    "run tools/system-deps.sh): Japanese text is left out.",
    "日本語フォントが未導入です（Debian: fonts-noto-cjk、fonts-ipaexfont-gothic。"
    "tools/system-deps.sh を実行してください）。日本語の表示を省略しています。",
)
PDF_FONT_MISSING = Text(
    "The PDF report needs a Japanese TrueType font: install Debian's "
    "fonts-ipaexfont-gothic (tools/system-deps.sh does), or open the HTML report.",
    "PDF報告には日本語TrueTypeフォントが必要です。Debianの fonts-ipaexfont-gothic を"
    "導入するか（tools/system-deps.sh が導入します）、HTML報告を開いてください。",
)
