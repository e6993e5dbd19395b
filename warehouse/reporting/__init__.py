"""The report's figures for people, read from the warehouse's marts: PNG charts (`charts`),
a self-contained HTML page (`page`) and the data site (`site`); `provenance` picks the report
they show and the sources it cites, `paths` says where they are written. No Dagster here: a
notebook can use them too."""
