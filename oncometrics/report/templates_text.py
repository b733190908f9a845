"""Sentence templates of the statements, English and French, as data.

Placeholders: ``{Actor}`` (subject, capitalised), ``{of_actor}`` ("of France" /
"de la France"), ``{rank}`` (ordinal agreeing with the actor, with any
robustness note), ``{rank_m}`` (masculine ordinal: "le 1er pays"), ``{n}``,
``{value}``, ``{share}``, ``{interval}``, ``{period}``, ``{partners}``,
``{fields}``, ``{p1}``, ``{p2}``, and French verbs agreeing with the actor:
``{se_classe}``, ``{est}``, ``{participe}``.
"""

from __future__ import annotations

N = "\u202f"  # narrow no-break space before % in French

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "pub_output": "{Actor} ranks {rank} of {n} countries for cancer publications "
        "in {period} (fractional count {value}; {share} of the world).",
        "pub_trend": "The world share {of_actor} in cancer publications moved from "
        "{a} in {p1} to {b} in {p2} ({delta}).",
        "pub_top1": "{Actor} ranks {rank} of {n} countries{threshold} for the share "
        "of its cancer "
        "papers in the top 1\xa0% most cited ({value}{interval}).",
        "pub_top10": "{Actor} ranks {rank} of {n} countries{threshold} for the share "
        "of its cancer "
        "papers in the top 10\xa0% most cited ({value}{interval}).",
        "pub_mncs": "{Actor} ranks {rank} of {n} countries{threshold} for the "
        "field-normalised "
        "citation impact of its cancer papers (MNCS {value}{interval}).",
        "pub_ai": "{Actor} is the {rank} most specialised of {n} countries{threshold} "
        "in cancer "
        "research (activity index {value}).",
        "pub_collab": "{value} of the cancer papers {of_actor} are international "
        "co-publications ({rank_m} of {n} countries).",
        "pub_partners": "First co-publication partners {of_actor}: {partners}.",
        "pub_institution": "The leading institution {of_actor} is {institution}, "
        "{rank_m} of {n} institutions worldwide (fractional count {value}).",
        "inv_output": "{Actor} is the {rank} producer of cancer inventions of {n} "
        "countries in {period} (fractional count {value}; {share} of the world).",
        "inv_rta": "{Actor} ranks {rank} of {n} countries for specialisation in cancer "
        "inventions (RTA {value}).",
        "inv_partners": "First co-invention partners {of_actor}: {partners}.",
        "inv_shift": "The cancer inventions {of_actor} are moving toward {fields} "
        "between {p1} and {p2}.",
        "trial_output": "{Actor} takes part in {value} oncology trials in {period} "
        "({rank_m} of {n} countries).",
        "trial_early": "{Actor} takes part in {value} early-phase oncology trials "
        "({rank_m} of {n} countries).",
    },
    "fr": {
        "pub_output": "{Actor} {se_classe} {rank} sur {n} pays pour les publications "
        "sur le cancer sur la période {period} (compte fractionnaire {value} ; "
        "{share} du total mondial).",
        "pub_trend": "La part mondiale {of_actor} dans les publications sur le "
        "cancer est passée de {a} en {p1} à {b} en {p2} ({delta}).",
        "pub_top1": "{Actor} {se_classe} {rank} sur {n} pays{threshold} pour la part de "
        f"ses publications sur le cancer parmi les 1{N}% les plus citées "
        "({value}{interval}).",
        "pub_top10": "{Actor} {se_classe} {rank} sur {n} pays{threshold} pour la part de "
        f"ses publications sur le cancer parmi les 10{N}% les plus citées "
        "({value}{interval}).",
        "pub_mncs": "{Actor} {se_classe} {rank} sur {n} pays{threshold} pour l'impact "
        "normalisé "
        "des citations de ses publications sur le cancer (MNCS {value}{interval}).",
        "pub_ai": "{Actor} {est} le {rank_m} pays le plus spécialisé en recherche sur "
        "le cancer sur {n}{threshold} (indice d'activité {value}).",
        "pub_collab": "{value} des publications sur le cancer {of_actor} sont des "
        "co-publications internationales ({rank_m} sur {n} pays).",
        "pub_partners": "Premiers partenaires de co-publication {of_actor} : "
        "{partners}.",
        "pub_institution": "Le premier établissement {of_actor} est {institution}, "
        "{rank_m} sur {n} établissements dans le monde (compte fractionnaire "
        "{value}).",
        "inv_output": "{Actor} {est} le {rank_m} producteur d'inventions sur le "
        "cancer sur {n} pays sur la période {period} (compte fractionnaire {value} ; "
        "{share} du total mondial).",
        "inv_rta": "{Actor} {se_classe} {rank} sur {n} pays pour la spécialisation en "
        "inventions sur le cancer (RTA {value}).",
        "inv_partners": "Premiers partenaires de co-invention {of_actor} : {partners}.",
        "inv_shift": "Les inventions sur le cancer {of_actor} se déplacent vers "
        "{fields} entre {p1} et {p2}.",
        "trial_output": "{Actor} {participe} à {value} essais cliniques en oncologie "
        "sur la période {period} ({rank_m} sur {n} pays).",
        "trial_early": "{Actor} {participe} à {value} essais précoces en oncologie "
        "({rank_m} sur {n} pays).",
    },
}

#: Other words of the statements.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "interval": "; 95\xa0% stability interval {lo_hi}",
        "not_robust": "{rank} (rank not robust: interval overlaps {others})",
        "rank_interval": "{rank} ({lo}–{hi})",
        "threshold_share": " with at least {share} of world output",
        "threshold_p": " with P_frac ≥ {p}",
        "tied": "{rank} (tied with {k} other{s})",
        "tied_group": "{n} countries tied at {value}",
        "all_years": "all years",
        "first_period": "the first period",
        "second_period": "the second period",
    },
    "fr": {
        "interval": f" ; intervalle de stabilité à 95{N}% {{lo_hi}}",
        "not_robust": "{rank} (rang non robuste : l'intervalle chevauche ceux des "
        "{others})",
        "tied": "{rank} ex aequo avec {k} autre{s}",
        "rank_interval": "{rank} ({lo}–{hi})",
        "threshold_share": " ayant au moins {share} de la production mondiale",
        "threshold_p": " ayant P_frac ≥ {p}",
        "tied_group": "{n} pays ex aequo à {value}",
        "all_years": "toutes années",
        "first_period": "la première période",
        "second_period": "la seconde période",
    },
}

#: French verbs agreeing with a singular / plural subject.
VERBS_FR: dict[str, tuple[str, str]] = {
    "se_classe": ("se classe", "se classent"),
    "est": ("est", "sont"),
    "participe": ("participe", "participent"),
}

#: Headings and fixed wording of the HTML report.
UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Cancer research: where {actor} stands",
        "subtitle": "Publications, inventions and clinical trials, {period}",
        "domain_label": "domain",
        "statements": "Statements",
        "evidence": "Evidence",
        "no_statements": "No statement about {actor} can be made from these tables.",
        "publications": "Publications",
        "inventions": "Inventions (patent families)",
        "trials": "Clinical trials",
        "missing_publications": "No publication records in this store (or none in "
        "the domain with a country): this section is omitted.",
        "missing_inventions": "No patent records in this store (or none in the "
        "domain with an inventor country): this section is omitted.",
        "missing_trials": "No trial records in this store (or none in the domain "
        "with a site country): this section is omitted.",
        "actor_absent": "{actor} does not appear in {table}: no statement about it "
        "in this section.",
        "charts": "Charts",
        "methodology": "Methodology",
        "drill": "Drill-down (CSV files next to this report: the records behind "
        "each row, with their weights; the weights add up to the row's count):",
        "domain": "Domain definition",
        "counting": "Counting",
        "normalisation": "Normalisation and stability",
        "sources": "Data sources",
        "rejected": "Rejected records",
        "tables": "Indicator tables",
        "sample": "This report is computed on {counts}; figures are illustrative, "
        "not representative.",
        "n_publications": "{n} publications",
        "n_inventions": "{n} inventions",
        "n_trials": "{n} trials",
        "institutions": "Leading institutions of {actor}",
        "institutions_world": "Leading institutions",
        "generated": "Generated by oncometrics {version}",
        "chart_omitted": "Not drawn: its inputs are missing, all tied at the "
        "precision shown, or below the size threshold.",
        "no_impact": "Citation impact (MNCS, PP(top x %)) is n/a: no publication "
        "of the domain has citation counts in a reference set of at least "
        "min_reference_set works.",
    },
    "fr": {
        "title": "Recherche sur le cancer : la position {of_actor}",
        "subtitle": "Publications, inventions et essais cliniques, {period}",
        "domain_label": "domaine",
        "statements": "Constats",
        "evidence": "Justification",
        "no_statements": "Aucun constat sur {actor} ne peut être tiré de ces tables.",
        "publications": "Publications",
        "inventions": "Inventions (familles de brevets)",
        "trials": "Essais cliniques",
        "missing_publications": "Aucune publication dans ce dépôt (ou aucune du "
        "domaine avec un pays) : section omise.",
        "missing_inventions": "Aucun brevet dans ce dépôt (ou aucun du domaine avec "
        "un pays d'inventeur) : section omise.",
        "missing_trials": "Aucun essai clinique dans ce dépôt (ou aucun du domaine "
        "avec un pays de site) : section omise.",
        "actor_absent": "{actor} n'apparaît pas dans {table} : aucun constat à son "
        "sujet dans cette section.",
        "charts": "Graphiques",
        "methodology": "Méthodologie",
        "drill": "Détail (fichiers CSV à côté de ce rapport : les documents "
        "derrière chaque ligne, avec leurs poids, dont la somme redonne le "
        "compte de la ligne) :",
        "domain": "Définition du domaine",
        "counting": "Comptage",
        "normalisation": "Normalisation et stabilité",
        "sources": "Sources des données",
        "rejected": "Enregistrements rejetés",
        "tables": "Tables d'indicateurs",
        "sample": "Ce rapport est calculé sur {counts} ; les chiffres sont "
        "illustratifs, non représentatifs.",
        "n_publications": "{n} publications",
        "n_inventions": "{n} inventions",
        "n_trials": "{n} essais",
        "institutions": "Principaux établissements {of_actor}",
        "institutions_world": "Principaux établissements",
        "generated": "Produit par oncometrics {version}",
        "chart_omitted": "Non tracé : ses données manquent, sont toutes ex aequo "
        "à la précision affichée ou sont sous le seuil de taille.",
        "no_impact": "Impact des citations (MNCS, PP(top x %)) : n/d, aucune "
        "publication du domaine n'a de nombre de citations dans un ensemble de "
        "référence d'au moins min_reference_set publications.",
    },
}

#: Chart titles (the section decides which charts exist).
CHART_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "pub_rank": "Ranking: cancer publications (fractional count)",
        "pub_top10": "Share of papers in the top 10 % most cited, among the 25 "
        "largest producers",
        "pub_time": "World share over time",
        "pub_spec": "Specialisation map: activity index against world share",
        "pub_partners": "Co-publication partners",
        "inv_rank": "Ranking: cancer inventions (fractional count)",
        "inv_partners": "Co-invention partners",
        "inv_tech": "Technology mix and its shift between periods",
        "trial_rank": "Ranking: oncology trials, early phase and later",
        "trial_partners": "Trial partners (countries sharing trials)",
        "trial_phase": "Trials by phase",
        "pub_network": "Collaboration network of the largest countries "
        "(co-publications)",
        "pub_map": "World map of shares of cancer publications",
        "inv_network": "Co-invention network of the largest countries",
    },
    "fr": {
        "pub_rank": "Classement : publications sur le cancer (compte fractionnaire)",
        "pub_top10": "Part des publications parmi les 10 % les plus citées, pour "
        "les 25 premiers producteurs",
        "pub_time": "Part mondiale dans le temps",
        "pub_spec": "Carte de spécialisation : indice d'activité et part mondiale",
        "pub_partners": "Partenaires de co-publication",
        "inv_rank": "Classement : inventions sur le cancer (compte fractionnaire)",
        "inv_partners": "Partenaires de co-invention",
        "inv_tech": "Répartition technologique et son évolution",
        "trial_rank": "Classement : essais en oncologie, phases précoces et suivantes",
        "trial_partners": "Pays partenaires des essais",
        "trial_phase": "Essais par phase",
        "pub_network": "Réseau de collaboration des principaux pays (copublications)",
        "pub_map": "Carte mondiale des parts de publications sur le cancer",
        "inv_network": "Réseau de co-invention des principaux pays",
    },
}

#: Methodology paragraphs; placeholders are filled from the settings.
METHOD: dict[str, dict[str, str]] = {
    "en": {
        "counting": "Rankings use {counting} counting: each publication has weight 1, "
        "shared equally among its authorships with a resolved affiliation, and an "
        "authorship's share is split equally among its countries. World totals are "
        "sums over countries, so world shares add up to 100 %. Ranks are "
        "competition ranks (ties share the best rank); ratio indicators rank only "
        "countries with P_frac ≥ {min_p}. Inventions are patent families counted "
        "the same way by inventor country; trials are counted once per country "
        "with at least one site.",
        "normalisation": "Citation impact is normalised by reference sets of the "
        "same publication year and field ({field_scheme}); citation window: "
        "{citation_window}. MNCS is the weighted mean of citations over expected "
        "citations; PP(top x %) uses the Waltman–Schreiber fractional handling of "
        "ties. Stability intervals are 95 % bootstrap intervals ({bootstrap} "
        "resamples, seed {seed}). A rank is flagged as not robust when its "
        "interval overlaps a neighbour's. Activity index = the country's share of "
        "world cancer output divided by its share of world output in all fields.",
        "all_citations": "all citations to date",
        "rejected": "{n} records were rejected at ingestion and kept in the store's "
        "quarantine folder with their reasons (never silently dropped).",
    },
    "fr": {
        "counting": "Les classements utilisent le comptage {counting} : chaque "
        "publication pèse 1, partagé à parts égales entre ses signatures dont "
        "l'affiliation est résolue, puis entre les pays de chaque signature. Les "
        "totaux mondiaux sont des sommes sur les pays : les parts mondiales "
        "totalisent 100 %. Les rangs sont des rangs de compétition (ex aequo au "
        "meilleur rang) ; les indicateurs de ratio ne classent que les pays avec "
        "P_frac ≥ {min_p}. Les inventions sont des familles de brevets comptées de "
        "la même façon par pays d'inventeur ; un essai compte une fois pour chaque "
        "pays où il a au moins un site.",
        "normalisation": "L'impact des citations est normalisé par des ensembles de "
        "référence de même année de publication et de même discipline "
        "({field_scheme}) ; fenêtre de citation : {citation_window}. Le MNCS est la "
        "moyenne pondérée des citations rapportées aux citations attendues ; "
        "PP(top x %) traite les ex aequo selon Waltman et Schreiber. Les intervalles "
        "de stabilité sont des intervalles bootstrap à 95 % ({bootstrap} tirages, "
        "graine {seed}). Un rang est signalé non robuste quand son intervalle "
        "chevauche celui d'un voisin. Indice d'activité = part mondiale du pays en "
        "cancérologie divisée par sa part mondiale toutes disciplines.",
        "all_citations": "toutes les citations à ce jour",
        "rejected": "{n} enregistrements ont été rejetés à l'ingestion et conservés "
        "avec leur motif dans le dossier de quarantaine du dépôt (rien n'est perdu).",
    },
}

#: Labels of the evidence box.
EVIDENCE: dict[str, dict[str, str]] = {
    "en": {
        "indicator": "indicator",
        "actor": "actor",
        "value": "value",
        "rank": "rank",
        "robust": "robust",
        "not_robust": "not robust",
        "interval": "stability interval",
        "period": "period",
        "domain_hash": "domain hash",
        "table": "table",
        "row": "row",
        "column": "column",
        "reproduce": "reproduce",
        "query": "query (DuckDB)",
    },
    "fr": {
        "indicator": "indicateur",
        "actor": "acteur",
        "value": "valeur",
        "rank": "rang",
        "robust": "robuste",
        "not_robust": "non robuste",
        "interval": "intervalle de stabilité",
        "period": "période",
        "domain_hash": "empreinte du domaine",
        "table": "table",
        "row": "ligne",
        "column": "colonne",
        "reproduce": "reproduire",
        "query": "requête (DuckDB)",
    },
}

#: Column headers of the methodology tables and the domain definition's keys.
HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "source": "source", "files": "files", "read": "read", "stored": "stored",
        "duplicates": "duplicates", "rejected": "rejected", "ingested": "ingested",
        "publications": "publications", "date": "date", "table": "table",
        "rows": "rows", "true": "yes", "false": "no",
        "name": "name", "version": "version", "hash": "hash",
        "types": "document types", "mesh_tree": "MeSH tree",
        "mesh_descriptors_count": "MeSH descriptors",
        "openalex_subfields": "OpenAlex subfields", "any_topic": "any topic",
        "keywords": "keywords", "patent_codes": "patent classes (CPC/IPC)",
        "patent_keywords": "patent keywords", "trial_keywords": "trial keywords",
        "period": "period",
    },
    "fr": {
        "source": "source", "files": "fichiers", "read": "lus",
        "stored": "stockés", "duplicates": "doublons", "rejected": "rejetés",
        "ingested": "ingestion", "publications": "publications", "date": "date",
        "table": "table", "rows": "lignes", "true": "oui", "false": "non",
        "name": "nom", "version": "version", "hash": "empreinte",
        "types": "types de documents", "mesh_tree": "arbre MeSH",
        "mesh_descriptors_count": "descripteurs MeSH",
        "openalex_subfields": "sous-domaines OpenAlex",
        "any_topic": "tout sujet", "keywords": "mots-clés",
        "patent_codes": "classes de brevets (CPC/CIB)",
        "patent_keywords": "mots-clés brevets",
        "trial_keywords": "mots-clés essais", "period": "période",
    },
}  # fmt: skip

#: French names of the statements' indicators (evidence blocks).
INDICATORS_FR: dict[str, str] = {
    "P_frac (fractional publication count)": "P_frac (compte fractionnaire des "
    "publications)",
    "PP(top 1 %)": "PP(top 1 %)",
    "PP(top 10 %)": "PP(top 10 %)",
    "MNCS": "MNCS",
    "Activity index (AI)": "Indice d'activité (AI)",
    "International co-publication rate": "Taux de co-publication internationale",
    "I_frac (fractional invention count)": "I_frac (compte fractionnaire des "
    "inventions)",
    "Revealed technological advantage (RTA)": "Avantage technologique révélé (RTA)",
    "Oncology trials (full count)": "Essais en oncologie (compte entier)",
    "Early-phase oncology trials (full count)": "Essais en oncologie de phase "
    "précoce (compte entier)",
    "International co-invention rate (full counting)": "Taux de co-invention "
    "internationale (compte entier)",
    "Co-occurrences with partner countries (full counting)": "Co-occurrences avec "
    "les pays partenaires (compte entier)",
    "Change in technology-field share (percentage points)": "Variation de la part "
    "du domaine technologique (points de pourcentage)",
    "P_frac (fractional publication count) of institutions": "P_frac (compte "
    "fractionnaire des publications) des établissements",
    "World share of P_frac, pooled over years": "Part mondiale de P_frac, années "
    "cumulées",
}
