"""Answers the search services give, shaped as their public API documentation shows, replayed by the
local test servers of test_connectors.py. Titles, texts and addresses are made up."""

from __future__ import annotations

# MediaWiki Action API, list=search with formatversion=2:
# https://www.mediawiki.org/wiki/API:Search
WIKIPEDIA_SEARCH = {
    "batchcomplete": True,
    "continue": {"sroffset": 2, "continue": "-||"},
    "query": {
        "searchinfo": {"totalhits": 1520},
        "search": [
            {
                "ns": 0,
                "title": "2020 Belarusian protests",
                "pageid": 64733466,
                "snippet": (
                    'Mass <span class="searchmatch">protests</span> in <span class="searchmatch">Minsk</span> &amp; other cities'
                ),
                "timestamp": "2024-05-02T10:11:12Z",
            },
            {
                "ns": 0,
                "title": "Independence Avenue (Minsk)",
                "pageid": 1234567,
                "snippet": 'The main avenue of <span class="searchmatch">Minsk</span>',
                "timestamp": "2023-11-20T08:00:00Z",
            },
        ],
    },
}

# The same API, no match: https://www.mediawiki.org/wiki/API:Search
WIKIPEDIA_EMPTY = {"batchcomplete": True, "query": {"searchinfo": {"totalhits": 0}, "search": []}}

# MediaWiki Action API, prop=extracts (TextExtracts) with prop=info&inprop=url, formatversion=2:
# https://www.mediawiki.org/wiki/Extension:TextExtracts#API and https://www.mediawiki.org/wiki/API:Info
WIKIPEDIA_EXTRACTS = {
    "batchcomplete": True,
    "query": {
        "pages": [
            {
                "pageid": 1234567,
                "ns": 0,
                "title": "Independence Avenue (Minsk)",
                "contentmodel": "wikitext",
                "pagelanguage": "en",
                "pagelanguagehtmlcode": "en",
                "pagelanguagedir": "ltr",
                "touched": "2024-01-01T00:00:00Z",
                "lastrevid": 1190000000,
                "length": 5120,
                "fullurl": "https://en.wikipedia.org/wiki/Independence_Avenue_(Minsk)",
                "editurl": "https://en.wikipedia.org/w/index.php?title=Independence_Avenue_(Minsk)&action=edit",
                "canonicalurl": "https://en.wikipedia.org/wiki/Independence_Avenue_(Minsk)",
                "extract": "Independence Avenue is the main avenue of Minsk.",
            },
            {
                "pageid": 64733466,
                "ns": 0,
                "title": "2020 Belarusian protests",
                "contentmodel": "wikitext",
                "pagelanguage": "en",
                "pagelanguagehtmlcode": "en",
                "pagelanguagedir": "ltr",
                "touched": "2024-05-02T10:11:12Z",
                "lastrevid": 1220000000,
                "length": 250000,
                "fullurl": "https://en.wikipedia.org/wiki/2020_Belarusian_protests",
                "editurl": "https://en.wikipedia.org/w/index.php?title=2020_Belarusian_protests&action=edit",
                "canonicalurl": "https://en.wikipedia.org/wiki/2020_Belarusian_protests",
                "extract": "A series of mass protests took place in Belarus after the 2020 presidential election.",
            },
        ]
    },
}

# MediaWiki Action API error object (answered with HTTP 200): https://www.mediawiki.org/wiki/API:Errors_and_warnings
WIKIPEDIA_ERROR = {
    "error": {"code": "nosrsearch", "info": 'The "srsearch" parameter must be set.', "docref": "See the API help."},
    "servedby": "mw1234",
}

# SearXNG search API with format=json: https://docs.searxng.org/dev/search_api.html
SEARXNG_RESULTS = {
    "query": "Minsk protest 2020",
    "number_of_results": 0,
    "results": [
        {
            "url": "https://news.example.org/2020/08/minsk-march",
            "title": "Thousands march in Minsk",
            "content": "Crowds gathered on <b>Sunday</b> in the capital.",
            "publishedDate": "2020-08-16T00:00:00",
            "thumbnail": None,
            "engine": "duckduckgo",
            "template": "default.html",
            "parsed_url": ["https", "news.example.org", "/2020/08/minsk-march", "", "", ""],
            "img_src": "",
            "priority": "",
            "engines": ["duckduckgo", "brave"],
            "positions": [1, 2],
            "score": 3.0,
            "category": "general",
        },
        {
            "url": "https://archive.example.net/belarus-election",
            "title": "Belarus election explained",
            "content": "What happened after the vote.",
            "publishedDate": None,
            "thumbnail": None,
            "engine": "brave",
            "template": "default.html",
            "parsed_url": ["https", "archive.example.net", "/belarus-election", "", "", ""],
            "img_src": "",
            "priority": "",
            "engines": ["brave"],
            "positions": [2],
            "score": 1.0,
            "category": "general",
        },
        {
            "url": "https://third.example.com/page",
            "title": "A third result",
            "content": "",
            "publishedDate": None,
            "engine": "brave",
            "template": "default.html",
            "parsed_url": ["https", "third.example.com", "/page", "", "", ""],
            "engines": ["brave"],
            "positions": [3],
            "score": 0.5,
            "category": "general",
        },
    ],
    "answers": [],
    "corrections": [],
    "infoboxes": [],
    "suggestions": ["minsk protest august"],
    "unresponsive_engines": [],
}

# The same API, no match: https://docs.searxng.org/dev/search_api.html
SEARXNG_EMPTY = {
    "query": "zzzz",
    "number_of_results": 0,
    "results": [],
    "answers": [],
    "corrections": [],
    "infoboxes": [],
    "suggestions": [],
    "unresponsive_engines": [],
}

# Google Fact Check Tools API v1alpha1 claims:search:
# https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search
FACTCHECK_CLAIMS = {
    "claims": [
        {
            "text": "Police detained 700 people at the Sunday march",
            "claimant": "A social media post",
            "claimDate": "2020-08-16T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Example Check", "site": "check.example.org"},
                    "url": "https://check.example.org/reviews/sunday-march-arrests",
                    "title": "No, police did not detain 700 people on Sunday",
                    "reviewDate": "2020-08-18T00:00:00Z",
                    "textualRating": "False",
                    "languageCode": "en",
                },
                {
                    "publisher": {"name": "Faktencheck Beispiel", "site": "faktencheck.example.de"},
                    "url": "https://faktencheck.example.de/700-festnahmen",
                    "title": "700 Festnahmen am Sonntag?",
                    "reviewDate": "2020-08-19T09:30:00Z",
                    "textualRating": "Falsch",
                    "languageCode": "de",
                },
            ],
        }
    ],
    "nextPageToken": "CAI",
}

# The same API, no match (an empty object): https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search
FACTCHECK_EMPTY: dict = {}

# GDELT DOC 2.0 API, mode=artlist&format=json: https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/
GDELT_ARTICLES = {
    "articles": [
        {
            "url": "https://www.example.co.uk/world/minsk-sunday-march",
            "url_mobile": "",
            "title": "Huge crowds in Minsk for a second Sunday",
            "seendate": "20200823T154500Z",
            "socialimage": "https://www.example.co.uk/image.jpg",
            "domain": "example.co.uk",
            "language": "English",
            "sourcecountry": "United Kingdom",
        },
        {
            "url": "https://www.example.fr/monde/minsk",
            "url_mobile": "https://m.example.fr/monde/minsk",
            "title": "Manifestation à Minsk",
            "seendate": "20200823T170000Z",
            "socialimage": "",
            "domain": "example.fr",
            "language": "French",
            "sourcecountry": "France",
        },
    ]
}

# The same API, no match: an empty object: https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/
GDELT_EMPTY: dict = {}
