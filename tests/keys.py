"""The sealing key tests run with (bot.seal), so no key file is made."""

import base64

TEST_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
