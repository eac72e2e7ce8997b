"""Build the encoding fixtures of tests/test_units_and_encodings.py (run by hand; outputs are
committed). Needs OpenCC's pure-Python port for the conversion to traditional characters:
`pip install opencc-purepy` (a development tool only; the parser does not use it).

- encoding-big5-report.html: the test's report page (test_units_and_encodings.report_page, its
  numbers written by hand there), converted to traditional characters by OpenCC (s2t) and
  encoded as Big5, with no charset declared anywhere — as a portal's 繁體 page served without
  a header. Every character of the converted page is in Big5.
- encoding-shift-jis-notice.html: a short Japanese notice (no Chinese report words) encoded as
  Shift-JIS, no charset declared. GB18030 decodes these bytes without an error, into mojibake.
"""

import sys
from pathlib import Path

from opencc_purepy import OpenCC

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
from test_units_and_encodings import report_page  # noqa: E402

NOTICE = """<html><head><title>お知らせ｜市民窓口のご案内</title></head><body>
<h1>お知らせ</h1>
<p>いつも市役所をご利用いただき、ありがとうございます。</p>
<p>年末年始の窓口業務は、十二月二十九日から一月三日までお休みします。</p>
<p>住民票の写しや印鑑登録証明書は、コンビニエンスストアでも取得できます。</p>
<p>ご不明な点は、市民課までお問い合わせください。</p>
</body></html>
"""


def main() -> None:
    traditional = OpenCC("s2t").convert(report_page())
    (HERE / "encoding-big5-report.html").write_bytes(traditional.encode("big5"))
    (HERE / "encoding-shift-jis-notice.html").write_bytes(NOTICE.encode("shift_jis"))


if __name__ == "__main__":
    main()
