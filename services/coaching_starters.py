"""The starter coaching templates every organisation may add in one click, in each language
Pacer speaks: weekly 1:1, pipeline review, ride-along visit, new-hire check-in.

They are content, not rules: an organisation adds them in its admin's language and then owns
the copy (services.coaching_templates.add_starters). Rating points describe what a coach can
see or hear, so two managers rating the same visit give the same number.
"""

from functools import partial

# The four points every starter scale uses, in each language.
SCALE = {
    "en": ("Not yet", "Developing", "Solid", "Role model"),
    "it": ("Non ancora", "In crescita", "Solido", "Esemplare"),
    "ja": ("まだ", "成長中", "安定", "模範"),
}


def _rating(language, title, prompt, definitions, rep_answers=False):
    points = [
        {"value": value, "label": label, "definition": definition}
        for value, (label, definition) in enumerate(
            zip(SCALE[language], definitions, strict=True), start=1)
    ]
    return dict(kind="rating", title=title, prompt=prompt, options={"points": points},
                rep_answers=rep_answers)


def _text(title, prompt, rep_answers=False):
    return dict(kind="text", title=title, prompt=prompt, options={}, rep_answers=rep_answers)


def _checklist(title, prompt, items, rep_answers=False):
    return dict(kind="checklist", title=title, prompt=prompt, options={"items": list(items)},
                rep_answers=rep_answers)


def _points(title, prompt, points, rep_answers=False):
    return dict(kind="talking_points", title=title, prompt=prompt,
                options={"points": list(points)}, rep_answers=rep_answers)


def _snapshot(title, prompt, period):
    return dict(kind="snapshot", title=title, prompt=prompt, options={"period": period},
                rep_answers=False)


def _weekly(language):
    r = partial(_rating, language)
    if language == "it":
        return dict(
            key="weekly", name="1:1 settimanale",
            description="Mezz'ora ogni settimana: i numeri, cosa funziona, cosa ti blocca e "
                        "cosa farai la prossima settimana.",
            sections=[
                _snapshot("I numeri della settimana",
                          "Parti dai numeri: quale indicatore è indietro, e perché?", "week"),
                _text("Successi dall'ultima volta",
                      "Cosa è andato bene? Sii concreto: la chiamata, la visita, cosa hai fatto.",
                      rep_answers=True),
                _points("Da vedere insieme", "", [
                    "Azioni dall'ultima volta: fatte, o cosa le ha bloccate?",
                    "L'indicatore più indietro rispetto al ritmo, e l'attività che lo muove",
                    "Un cliente o una trattativa che ha bisogno di aiuto questa settimana",
                    "Cosa ti ostacola: strumenti, processi, carico di lavoro, altro",
                ]),
                r("Pianificazione della settimana",
                  "Valuta cosa hai visto nei numeri e nell'agenda, non l'impegno.", [
                      "Nessun piano: le attività capitano quando arriva una richiesta.",
                      "Ha un piano ma lo abbandona alla prima urgenza; le attività sono "
                      "indietro rispetto al ritmo.",
                      "Blocca tempo per chiamate e visite e segue il piano quasi ogni giorno; "
                      "attività in linea con il ritmo.",
                      "Pianifica prima che la settimana inizi, protegge il tempo per nuovi "
                      "contatti e corregge a metà settimana guardando i numeri, da solo.",
                  ]),
                _checklist("Prima di chiudere", "", [
                    "Una o due azioni concordate, con responsabile e data",
                    "Priorità della prossima settimana chiare",
                    "Ostacoli annotati",
                ]),
                _text("Il tuo obiettivo per la prossima settimana",
                      "Con parole tue: la cosa che farai diversamente.", rep_answers=True),
            ])
    if language == "ja":
        return dict(
            key="weekly", name="週次1on1",
            description="毎週30分の面談。数字、うまくいっていること、妨げになっていること、"
                        "来週やることを話します。",
            sections=[
                _snapshot("今週の数字", "まず数字から。遅れている指標はどれで、その理由は？",
                          "week"),
                _text("前回からの成果",
                      "うまくいったことは？具体的に：どの電話、どの訪問で、何をしたか。",
                      rep_answers=True),
                _points("話すこと", "", [
                    "前回のアクション：できたか、できなかった理由は？",
                    "ペースから最も遅れている指標と、それを動かす活動",
                    "今週サポートが必要な顧客・案件",
                    "妨げになっていること：ツール、プロセス、業務量など",
                ]),
                r("週の計画", "努力ではなく、数字と予定表から見えたことで評価します。", [
                    "計画がなく、依頼が来たときに動いている。",
                    "計画はあるが急ぎの用件で崩れ、活動がペースより遅れている。",
                    "電話と訪問の時間を確保し、ほぼ毎日計画どおりに動いている。活動はペースどおり。",
                    "週が始まる前に計画し、新規開拓の時間を守り、週の途中で数字を見て自ら修正している。",
                ]),
                _checklist("終わる前に", "", [
                    "担当者と期日のあるアクションを1〜2つ決めた",
                    "来週の優先事項がはっきりしている",
                    "妨げになっていることを記録した",
                ]),
                _text("来週の重点", "自分の言葉で：来週変えることを一つ。", rep_answers=True),
            ])
    return dict(
        key="weekly", name="Weekly 1:1",
        description="Thirty minutes every week: the numbers, what is working, what is in the "
                    "way, and what happens next week.",
        sections=[
            _snapshot("This week's numbers",
                      "Start from the numbers: which metric is behind, and why?", "week"),
            _text("Wins since last time",
                  "What went well? Be specific: the call, the visit, what you did.",
                  rep_answers=True),
            _points("To cover", "", [
                "Action items from last time: done, or what got in the way?",
                "The metric furthest behind pace, and the activity that drives it",
                "One account or deal that needs help this week",
                "Anything in the way: tools, process, workload, anything else",
            ]),
            r("Planning the week",
              "Rate what you saw in the numbers and the calendar, not the effort.", [
                  "No plan: activities happen when a request comes in.",
                  "Has a plan but drops it at the first urgent call; activities are behind "
                  "pace.",
                  "Blocks time for calls and visits and follows the plan most days; activities "
                  "on pace.",
                  "Plans before the week starts, protects prospecting time, and corrects "
                  "mid-week from the numbers without being asked.",
              ]),
            _checklist("Before we close", "", [
                "One or two action items agreed, each with an owner and a date",
                "Next week's priorities are clear",
                "Obstacles written down",
            ]),
            _text("Your focus for next week",
                  "In your own words: the one thing you will do differently.",
                  rep_answers=True),
        ])


def _pipeline(language):
    r = partial(_rating, language)
    if language == "it":
        return dict(
            key="pipeline", name="Revisione della pipeline",
            description="Trattativa per trattativa: è reale, è abbastanza, e cosa la porta "
                        "alla fase successiva.",
            sections=[
                _snapshot("Risultati e pipeline del mese", "", "month"),
                r("Copertura della pipeline", "Pipeline aperta rispetto al target che manca.", [
                    "Meno di 2 volte il target mancante; nessuna nuova opportunità questo mese.",
                    "Da 2 a 3 volte, ma quasi tutto in fase iniziale o fermo da oltre 90 giorni.",
                    "Circa 3 volte, distribuita tra le fasi; nuove opportunità ogni settimana.",
                    "3 volte o più, ogni fase alimentata; conosce i propri tassi di conversione "
                    "e pianifica partendo da quelli.",
                ]),
                r("Qualificazione delle trattative", "Guarda le trattative principali.", [
                    "Nessun decisore né budget noto; le date di chiusura sono ipotesi.",
                    "Contatto ed esigenza noti, ma non il processo decisionale né il budget.",
                    "Per ogni trattativa principale sono noti e scritti nel CRM decisore, "
                    "budget, tempi e il motivo del cliente per decidere.",
                    "Come 3, e scarta presto le trattative deboli; sa dire perché ogni "
                    "trattativa principale chiuderà in questo periodo.",
                ]),
                _checklist("Pulizia della pipeline", "", [
                    "Ogni trattativa aperta ha un prossimo passo con data",
                    "Nessuna data di chiusura già passata",
                    "Trattative ferme da 30 giorni riviste: riattivare o chiudere",
                    "Gli importi corrispondono all'ultima offerta",
                ]),
                _points("Trattativa per trattativa", "", [
                    "Le 5 trattative più grandi: prossimo passo, chi, entro quando?",
                    "Cosa potrebbe impedire a ciascuna di chiudersi?",
                    "Quale trattativa ha bisogno del mio aiuto o di qualcun altro in azienda?",
                    "Cosa è fermo e va chiuso come perso?",
                ]),
                _text("Impegno per il periodo",
                      "Quali trattative chiuderai questo mese, e per quanto?", rep_answers=True),
            ])
    if language == "ja":
        return dict(
            key="pipeline", name="パイプラインレビュー",
            description="案件を一つずつ確認します：本当に動いているか、量は十分か、"
                        "次の段階に進めるには何が必要か。",
            sections=[
                _snapshot("今月の実績とパイプライン", "", "month"),
                r("パイプラインのカバー率", "残りの目標に対する進行中パイプラインの量。", [
                    "残り目標の2倍未満。今月新しい商談が追加されていない。",
                    "2〜3倍だが、ほとんどが初期段階か90日以上動いていない。",
                    "約3倍で各段階に分散している。毎週新しい商談が追加されている。",
                    "3倍以上で全段階に流れがある。自分の成約率を把握し、それをもとに計画している。",
                ]),
                r("案件の見極め", "主要な案件で判断します。", [
                    "決裁者も予算も分からない。受注予定日は推測。",
                    "担当者とニーズは分かるが、決裁プロセスと予算が分からない。",
                    "主要案件ごとに決裁者、予算、時期、顧客が決める理由が分かり、CRMに記録されている。",
                    "3に加え、見込みの薄い案件を早く見切り、主要案件が今期に決まる理由を説明できる。",
                ]),
                _checklist("パイプラインの整理", "", [
                    "すべての進行中案件に日付付きの次のステップがある",
                    "過ぎた受注予定日がない",
                    "30日動きのない案件を見直した：再開か終了か",
                    "金額が最新の見積と一致している",
                ]),
                _points("案件ごとに", "", [
                    "金額上位5件：次のステップ、担当、期日は？",
                    "それぞれの受注を妨げるものは？",
                    "私や社内の誰かの支援が必要な案件は？",
                    "止まっていて失注として閉じるべき案件は？",
                ]),
                _text("今期のコミット", "今月どの案件をいくらで受注しますか？",
                      rep_answers=True),
            ])
    return dict(
        key="pipeline", name="Pipeline review",
        description="Deal by deal: is it real, is there enough of it, and what moves each deal "
                    "to its next stage.",
        sections=[
            _snapshot("This month's results and pipeline", "", "month"),
            r("Pipeline coverage", "Open pipeline against the target still to reach.", [
                "Under 2× the target still to reach; no new opportunities this month.",
                "2× to 3×, but most of it in early stages or untouched for over 90 days.",
                "About 3×, spread across stages; new opportunities added every week.",
                "3× or more with every stage fed; knows their own conversion rates and plans "
                "from them.",
            ]),
            r("Deal qualification", "Judge from the main deals.", [
                "No known decision-maker or budget; close dates are guesses.",
                "Contact and need are known, but not the decision process or the budget.",
                "For each main deal the decision-maker, budget, timeline and the customer's "
                "reason to act are known and written in the CRM.",
                "As 3, and drops weak deals early; can say why each main deal will close "
                "this period.",
            ]),
            _checklist("Pipeline hygiene", "", [
                "Every open deal has a next step with a date",
                "No close date in the past",
                "Deals untouched for 30 days reviewed: revive or close",
                "Amounts match the latest proposal",
            ]),
            _points("Deal by deal", "", [
                "Top 5 deals by value: next step, who, by when?",
                "What could stop each one from closing?",
                "Which deal needs help from me or from someone else in the company?",
                "What is stuck and should be closed as lost?",
            ]),
            _text("Commit for the period",
                  "Which deals will you close this month, and for how much?", rep_answers=True),
        ])


def _ride_along(language):
    r = partial(_rating, language)
    if language == "it":
        return dict(
            key="ride_along", name="Affiancamento in visita",
            description="Coaching sul campo: osserva una visita, valuta i comportamenti che "
                        "hai visto e fai il debriefing insieme entro un giorno.",
            sections=[
                _text("La visita",
                      "Cliente, chi c'era, e l'obiettivo della visita come l'ha detto il "
                      "venditore prima di entrare."),
                r("Preparazione", "", [
                    "Arriva senza un obiettivo; non conosce la storia del cliente.",
                    "Conosce il cliente ma non ha un obiettivo preciso né domande preparate.",
                    "Dichiara un obiettivo chiaro e ha domande e materiali pronti.",
                    "Obiettivo chiaro, si è informato sui presenti e ha un piano B per il "
                    "prossimo passo.",
                ]),
                r("Apertura", "", [
                    "Parte subito col prodotto, senza agenda.",
                    "Cordiale, ma non propone un'agenda né verifica il tempo a disposizione.",
                    "Verifica il tempo, propone un'agenda e chiede al cliente cosa si aspetta "
                    "dall'incontro.",
                    "Come 3, e collega l'agenda a qualcosa che il cliente aveva detto: il "
                    "cliente guida fin dai primi minuti.",
                ]),
                r("Analisi delle esigenze", "", [
                    "Poche domande, o solo chiuse; parla più del cliente.",
                    "Fa domande aperte ma passa oltre senza approfondire le risposte.",
                    "Fa domande aperte e conferma l'esigenza del cliente prima di presentare.",
                    "Fa emergere l'impatto del problema e chi altro ne è toccato; il cliente "
                    "parla per la maggior parte del tempo.",
                ]),
                r("Presentazione del valore", "", [
                    "Presenta tutte le caratteristiche, qualunque cosa abbia detto il cliente.",
                    "Presenta prodotti pertinenti, ma in termini generici.",
                    "Collega ogni punto a un'esigenza detta dal cliente, con le sue parole.",
                    "Come 3, con prove (un caso, un numero), e verifica la reazione del "
                    "cliente dopo ogni punto.",
                ]),
                r("Gestione delle obiezioni", "", [
                    "Discute o ignora l'obiezione; offre uno sconto non richiesto.",
                    "Risponde all'obiezione ma non verifica che sia risolta.",
                    "Riconosce l'obiezione, fa una domanda per capirla, risponde e verifica "
                    "che sia risolta.",
                    "Anticipa le obiezioni probabili e le solleva per primo; le trasforma in "
                    "motivi per andare avanti.",
                ]),
                r("Chiusura su un prossimo passo", "", [
                    "Esce senza un prossimo passo (\"le mando qualcosa\").",
                    "Propone un prossimo passo, ma senza data né responsabile.",
                    "Chiede un impegno preciso con una data e conferma chi altro va coinvolto.",
                    "Ottiene un impegno datato che fa avanzare la trattativa, concordato "
                    "nell'incontro e confermato per iscritto in giornata.",
                ]),
                _text("Punti di forza osservati", "Cosa ripetere: comportamenti precisi."),
                _text("Una cosa da allenare",
                      "Un solo comportamento da provare nella prossima visita."),
                _text("Il tuo punto di vista",
                      "Com'è andata secondo te? Cosa faresti diversamente?", rep_answers=True),
            ])
    if language == "ja":
        return dict(
            key="ride_along", name="同行訪問",
            description="現場でのコーチング：訪問を一件観察し、見えた行動を評価して、"
                        "1日以内に一緒に振り返ります。",
            sections=[
                _text("訪問について", "顧客名、同席者、訪問前に担当者が述べた訪問の目的。"),
                r("準備", "", [
                    "目的なしで訪問し、顧客のこれまでの経緯を知らない。",
                    "顧客のことは知っているが、具体的な目的や質問の準備がない。",
                    "明確な目的を述べ、質問と資料を準備している。",
                    "明確な目的に加え、同席者について調べ、次のステップの代案も用意している。",
                ]),
                r("導入", "", [
                    "いきなり製品の話を始め、進め方の確認がない。",
                    "感じはよいが、進め方の提案や時間の確認がない。",
                    "時間を確認し、進め方を提案し、顧客が面談に何を期待しているか尋ねている。",
                    "3に加え、以前顧客が話したことに進め方を結びつけ、最初から顧客が主体になっている。",
                ]),
                r("ヒアリング", "", [
                    "質問が少ないか閉じた質問だけ。顧客より多く話している。",
                    "開かれた質問をするが、答えを掘り下げずに次へ進む。",
                    "開かれた質問をし、提案の前に顧客のニーズを確認している。",
                    "課題の影響と関係する人を引き出し、顧客がほとんどの時間話している。",
                ]),
                r("価値の提示", "", [
                    "顧客の話に関係なく、すべての機能を説明する。",
                    "関連する製品を提示するが、一般的な説明にとどまる。",
                    "各ポイントを顧客が述べたニーズに、顧客の言葉で結びつけている。",
                    "3に加え、事例や数字で裏付け、各ポイントの後に顧客の反応を確認している。",
                ]),
                r("反論への対応", "", [
                    "反論に言い返すか無視する。求められていない値引きをする。",
                    "反論に答えるが、解消したか確認しない。",
                    "反論を受け止め、質問で理解し、答え、解消したか確認している。",
                    "出そうな反論を先に取り上げ、前に進む理由に変えている。",
                ]),
                r("次のステップの合意", "", [
                    "次のステップなしで終わる（「資料をお送りします」）。",
                    "次のステップを提案するが、日付も担当も決まっていない。",
                    "日付のある具体的な約束を求め、ほかに関わる人を確認している。",
                    "案件を進める日付付きの約束をその場で得て、当日中に書面で確認している。",
                ]),
                _text("見られた強み", "続けるべき具体的な行動。"),
                _text("練習すること", "次の訪問で試す行動を一つだけ。"),
                _text("あなたの振り返り", "訪問はどうでしたか？次は何を変えますか？",
                      rep_answers=True),
            ])
    return dict(
        key="ride_along", name="Ride-along visit",
        description="Field coaching: watch one customer visit, rate the behaviours you saw, "
                    "and debrief together within a day.",
        sections=[
            _text("The visit",
                  "Customer, who was there, and the goal of the visit as the rep stated it "
                  "beforehand."),
            r("Preparation", "", [
                "Arrives without a goal; does not know the account's history.",
                "Knows the account but has no specific goal or prepared questions.",
                "States a clear goal for the visit and has questions and materials ready.",
                "Clear goal, has looked up the people attending, and has a fall-back next "
                "step ready.",
            ]),
            r("Opening", "", [
                "Goes straight into the product; no agenda.",
                "Friendly, but sets no agenda and does not check the time available.",
                "Checks the time, proposes an agenda and asks what the customer wants from "
                "the meeting.",
                "As 3, and ties the agenda to something the customer said before: the "
                "customer leads from the first minutes.",
            ]),
            r("Discovery", "", [
                "Asks few questions, or only closed ones; talks more than the customer.",
                "Asks open questions but moves on without exploring the answers.",
                "Asks open questions and confirms the customer's need before presenting.",
                "Uncovers the impact of the problem and who else it affects; the customer "
                "does most of the talking.",
            ]),
            r("Presenting value", "", [
                "Presents every feature, whatever the customer said.",
                "Presents relevant products, but in general terms.",
                "Ties each point to a need the customer stated, in the customer's words.",
                "As 3, with proof (a case, a number), and checks the customer's reaction "
                "after each point.",
            ]),
            r("Handling objections", "", [
                "Argues with or ignores the objection; offers a discount nobody asked for.",
                "Answers the objection but does not check it is resolved.",
                "Acknowledges it, asks a question to understand it, answers, and checks it "
                "is resolved.",
                "Raises likely objections first and turns them into reasons to move forward.",
            ]),
            r("Closing for a next step", "", [
                "Leaves without a next step (\"I'll send you something\").",
                "Proposes a next step, but with no date or owner.",
                "Asks for a specific commitment with a date and confirms who else needs to "
                "be involved.",
                "Gets a dated commitment that moves the deal forward, agreed in the meeting "
                "and confirmed in writing the same day.",
            ]),
            _text("Strengths seen", "What to keep doing: specific behaviours."),
            _text("One thing to practise", "One behaviour to try on the next visit."),
            _text("Your view", "How did the visit go for you? What would you do differently?",
                  rep_answers=True),
        ])


def _new_hire(language):
    r = partial(_rating, language)
    if language == "it":
        return dict(
            key="new_hire", name="Check-in nuovo assunto",
            description="Ogni settimana nei primi 90 giorni: i numeri rispetto ai target "
                        "ridotti, l'inserimento, la sicurezza e l'aiuto che serve.",
            sections=[
                _snapshot("Questa settimana, rispetto ai tuoi target", "", "week"),
                _checklist("Inserimento di questa settimana", "", [
                    "Gli accessi funzionano (CRM, email, Pacer)",
                    "Formazione sul prodotto della settimana completata",
                    "Affiancato almeno un collega esperto",
                    "Sa a chi chiedere per prezzi e assistenza",
                ]),
                r("Sicurezza nella presentazione", "", [
                    "Non riesce ancora a spiegare cosa vendiamo senza appunti.",
                    "Spiega i prodotti principali ma fatica con le domande dei clienti.",
                    "Presenta con scioltezza e risponde alle domande comuni; inoltra "
                    "correttamente le altre.",
                    "Adatta la presentazione al cliente e gestisce da solo le domande "
                    "impreviste.",
                ]),
                _text("Cosa è stato più difficile finora?", "", rep_answers=True),
                _points("Da vedere insieme", "", [
                    "Come funzionano i target ridotti, e a che punto sei",
                    "Un successo della settimana, anche piccolo",
                    "Chi nel team può aiutarti, e su cosa",
                    "Cosa del lavoro è diverso da come te lo aspettavi",
                ]),
                _text("L'aiuto che ti serve",
                      "Formazione, un affiancamento, tempo con un collega: cosa ti "
                      "aiuterebbe di più la prossima settimana?", rep_answers=True),
            ])
    if language == "ja":
        return dict(
            key="new_hire", name="新入社員チェックイン",
            description="入社後90日間、毎週：調整された目標に対する数字、オンボーディングの"
                        "進み具合、自信、必要な支援。",
            sections=[
                _snapshot("今週の数字（調整後の目標に対して）", "", "week"),
                _checklist("今週のオンボーディング", "", [
                    "システムにアクセスできる（CRM、メール、Pacer）",
                    "今週の製品研修を終えた",
                    "先輩に1回以上同行した",
                    "価格とサポートについて誰に聞けばよいか分かっている",
                ]),
                r("説明への自信", "", [
                    "メモなしでは扱う商品をまだ説明できない。",
                    "主な商品は説明できるが、顧客の質問に詰まる。",
                    "よどみなく説明し、よくある質問に答え、それ以外は適切に引き継いでいる。",
                    "顧客に合わせて説明を変え、想定外の質問にも一人で対応できる。",
                ]),
                _text("これまでで一番大変だったことは？", "", rep_answers=True),
                _points("話すこと", "", [
                    "調整された目標の仕組みと、今の位置",
                    "今週の成果を一つ（小さなことでも）",
                    "チームの誰に何を聞けるか",
                    "仕事で想像と違ったこと",
                ]),
                _text("必要な支援",
                      "研修、同行、先輩との時間：来週いちばん役に立つのは何ですか？",
                      rep_answers=True),
            ])
    return dict(
        key="new_hire", name="New-hire check-in",
        description="Every week of the first 90 days: the numbers against reduced targets, "
                    "onboarding, confidence, and the help they need.",
        sections=[
            _snapshot("This week against your ramped targets", "", "week"),
            _checklist("Onboarding this week", "", [
                "Access works (CRM, email, Pacer)",
                "This week's product training done",
                "Shadowed at least one experienced colleague",
                "Knows whom to ask about pricing and support",
            ]),
            r("Confidence with the pitch", "", [
                "Cannot yet explain what we sell without notes.",
                "Explains the main products but struggles with customers' questions.",
                "Pitches fluently and answers common questions; passes the rest on correctly.",
                "Adapts the pitch to the customer and handles unexpected questions alone.",
            ]),
            _text("What has been hardest so far?", "", rep_answers=True),
            _points("To cover", "", [
                "How ramped targets work, and where you stand",
                "One win this week, however small",
                "Who in the team can help with what",
                "Anything about the job that is not what you expected",
            ]),
            _text("Help you need",
                  "Training, a ride-along, time with a colleague: what would help most next "
                  "week?", rep_answers=True),
        ])


STARTERS = (_weekly, _pipeline, _ride_along, _new_hire)
LANGUAGES = ("en", "it", "ja")


def starters(language):
    """The four starter templates in `language` (English for one Pacer does not speak)."""
    language = language if language in LANGUAGES else "en"
    return [starter(language) for starter in STARTERS]
