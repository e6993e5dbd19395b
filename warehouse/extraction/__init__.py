"""Reading a report document into numeric mentions: every number it prints, with its unit,
period, qualifier, forecast flag, kind and quote, so a new report starts from a draft of its
figures instead of a blank file, and coverage can say what the curated tables leave out.

Nothing here knows one report's sentences: the rules are about how Chinese research reports
print numbers (units and measure words, 约/超过, 2022H1, tables flattened into lines), and a
second report written in the same style measures them.
"""
