-- grannskap schema, version 2: SCB's change logs between code-system versions.
-- DeSO 2018 -> DeSO 2025 and RegSO 2020 -> RegSO 2025 are distinct code systems (the area
-- table); their keys are crosswalk rows. What changed at a revision (a boundary adjusted, a
-- part given away, an area split or ended) is recorded here, one row per SCB change-log line,
-- so a series that crosses the revision can flag the areas whose boundaries moved.
CREATE TABLE area_change (
    from_system  VARCHAR NOT NULL,    -- 'deso2018' or 'regso2020'
    from_code    VARCHAR NOT NULL,
    to_system    VARCHAR NOT NULL,    -- 'deso2025' or 'regso2025'
    to_code      VARCHAR NOT NULL,
    change       VARCHAR NOT NULL,    -- SCB's wording, e.g. 'Ger del/delar till befintlig'
    changed_on   DATE NOT NULL,       -- the revision date (2025-01-01)
    import_id    INTEGER NOT NULL,
    PRIMARY KEY (from_system, from_code, to_system, to_code, change)
);
