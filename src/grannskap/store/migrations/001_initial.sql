-- grannskap schema, version 1: the data model of the whole system.
-- Never edit a released migration: add NNN_<name>.sql with the next number instead.

CREATE TABLE code_system (
    system      VARCHAR PRIMARY KEY,   -- 'deso2018', 'deso2025', 'regso2020', 'regso2025', 'kommun', 'lan', 'riket', 'police', 'stadsdel', 'grid'
    level       VARCHAR NOT NULL,      -- 'deso', 'regso', 'kommun', 'lan', 'riket', 'police', 'stadsdel', 'grid'
    version     VARCHAR,               -- '2018', '2020', '2025', or the list date for police areas
    name_sv     VARCHAR NOT NULL,
    name_en     VARCHAR NOT NULL
);

INSERT INTO code_system VALUES
    ('riket',     'riket',    NULL,   'Riket',                              'Sweden'),
    ('lan',       'lan',      NULL,   'Län',                                'County'),
    ('kommun',    'kommun',   NULL,   'Kommun',                             'Municipality'),
    ('deso2018',  'deso',     '2018', 'DeSO (indelning 2018)',              'DeSO (2018 division)'),
    ('deso2025',  'deso',     '2025', 'DeSO (indelning 2025)',              'DeSO (2025 division)'),
    ('regso2020', 'regso',    '2020', 'RegSO (indelning 2020)',             'RegSO (2020 division)'),
    ('regso2025', 'regso',    '2025', 'RegSO (indelning 2025)',             'RegSO (2025 division)'),
    ('police',    'police',   NULL,   'Polisens utsatta områden',           'Police vulnerable areas'),
    ('stadsdel',  'stadsdel', NULL,   'Stadsdel (egen indelning)',          'City district (user-defined)'),
    ('grid',      'grid',     NULL,   'Rutnät (SWEREF 99 TM)',              'Grid (SWEREF 99 TM)');

CREATE SEQUENCE import_id_seq START 1;

CREATE TABLE provenance (
    import_id    INTEGER PRIMARY KEY DEFAULT nextval('import_id_seq'),
    source       VARCHAR NOT NULL,     -- 'scb', 'kolada', 'polisen', 'programme', 'register', 'user', 'geodata'
    table_id     VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    file_name    VARCHAR NOT NULL,
    file_hash    VARCHAR NOT NULL UNIQUE,  -- sha256 of the bytes read; re-importing the same bytes is a no-op
    imported_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    row_count    INTEGER NOT NULL,
    notes        VARCHAR                -- footnotes and caveats read from the file
);

CREATE TABLE area (
    system        VARCHAR NOT NULL REFERENCES code_system(system),
    code          VARCHAR NOT NULL,
    name          VARCHAR,
    parent_system VARCHAR,
    parent_code   VARCHAR,
    kommun_code   VARCHAR,             -- the kommun the area lies in ('' for riket/län)
    geometry_wkb  BLOB,                -- EPSG:3006 (SWEREF 99 TM) when known
    centroid_x    DOUBLE,
    centroid_y    DOUBLE,
    import_id     INTEGER,
    PRIMARY KEY (system, code)
);

CREATE TABLE crosswalk (
    from_system VARCHAR NOT NULL,
    from_code   VARCHAR NOT NULL,
    to_system   VARCHAR NOT NULL,
    to_code     VARCHAR NOT NULL,
    weight      DOUBLE NOT NULL DEFAULT 1.0,  -- share of the from-area that lies in the to-area
    import_id   INTEGER,
    PRIMARY KEY (from_system, from_code, to_system, to_code)
);

CREATE TABLE indicator (
    indicator_id      VARCHAR PRIMARY KEY,
    name_sv           VARCHAR NOT NULL,
    name_en           VARCHAR NOT NULL DEFAULT '',
    unit              VARCHAR NOT NULL DEFAULT '',
    kind              VARCHAR NOT NULL DEFAULT 'other',
    numerator_def     VARCHAR NOT NULL DEFAULT '',
    denominator_def   VARCHAR NOT NULL DEFAULT '',
    source_table      VARCHAR NOT NULL DEFAULT '',
    higher_is_better  BOOLEAN,
    responsible_board VARCHAR NOT NULL DEFAULT ''
);

CREATE TABLE observation (
    indicator_id VARCHAR NOT NULL,
    area_system  VARCHAR NOT NULL,
    area_code    VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    breakdown    VARCHAR NOT NULL DEFAULT '',  -- '' = total; else 'key=value;key=value'
    value        DOUBLE,
    numerator    DOUBLE,
    denominator  DOUBLE,
    status       VARCHAR NOT NULL CHECK (status IN ('ok', 'missing', 'suppressed', 'zero', 'preliminary')),
    import_id    INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, area_system, area_code, year, breakdown)
);

-- The programme: målområden, effektmål, interventions, funding.
CREATE TABLE programme (
    programme_id VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    kommun_code  VARCHAR NOT NULL,
    start_year   INTEGER,
    end_year     INTEGER,
    description  VARCHAR,
    import_id    INTEGER
);

CREATE TABLE malomrade (
    malomrade_id VARCHAR PRIMARY KEY,
    programme_id VARCHAR NOT NULL,
    name_sv      VARCHAR NOT NULL,
    name_en      VARCHAR NOT NULL DEFAULT '',
    responsible  VARCHAR NOT NULL DEFAULT '',
    decided      VARCHAR,               -- decision date as text (may be partial)
    ordinal      INTEGER NOT NULL DEFAULT 0,
    import_id    INTEGER
);

CREATE TABLE effektmal (
    effektmal_id VARCHAR PRIMARY KEY,
    malomrade_id VARCHAR,               -- NULL when not known
    name_sv      VARCHAR NOT NULL,
    name_en      VARCHAR NOT NULL DEFAULT '',
    known        BOOLEAN NOT NULL DEFAULT TRUE,  -- FALSE: the wording is not in our sources
    indicator_ids VARCHAR[],
    ordinal      INTEGER NOT NULL DEFAULT 0,
    import_id    INTEGER
);

CREATE TABLE intervention (
    intervention_id VARCHAR PRIMARY KEY,
    programme_id    VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    description     VARCHAR,
    type            VARCHAR NOT NULL CHECK (type IN ('forebyggande', 'framjande', 'atgardande', 'okand')),
    malomrade_id    VARCHAR,
    effektmal_ids   VARCHAR[],
    target_group    VARCHAR,
    start_year      INTEGER,
    end_year        INTEGER,
    responsible     VARCHAR,
    source_note     VARCHAR,            -- where what we know comes from; unknowns are NULL
    import_id       INTEGER
);

CREATE TABLE intervention_area (
    intervention_id VARCHAR NOT NULL,
    area_system     VARCHAR NOT NULL,
    area_code       VARCHAR NOT NULL,
    start_year      INTEGER,
    end_year        INTEGER,
    import_id       INTEGER,
    PRIMARY KEY (intervention_id, area_system, area_code)
);

CREATE SEQUENCE funding_id_seq START 1;

CREATE TABLE funding (
    entry_id        INTEGER PRIMARY KEY DEFAULT nextval('funding_id_seq'),
    programme_id    VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('grant', 'spent', 'budget', 'stated_total')),
    dimension       VARCHAR NOT NULL CHECK (dimension IN ('total', 'year', 'category', 'intervention')),
    year            INTEGER,            -- for dimension 'year' (and 'intervention' when per year)
    category        VARCHAR,            -- målområde or other cost category, as printed
    malomrade_id    VARCHAR,            -- when the category is a målområde
    intervention_id VARCHAR,
    amount_sek      DECIMAL(18, 2) NOT NULL,
    funding_source  VARCHAR,            -- e.g. 'Tillväxtverket'
    label           VARCHAR,            -- the text as printed in the source
    source_note     VARCHAR,
    import_id       INTEGER
);

CREATE TABLE police_classification (
    area_code   VARCHAR NOT NULL,       -- stable id of the police area (OMRADESKOD or a slug of the name)
    name        VARCHAR NOT NULL,
    ort         VARCHAR,
    kommun_code VARCHAR,
    year        INTEGER NOT NULL,       -- year of the list
    category    VARCHAR NOT NULL CHECK (category IN ('utsatt', 'riskomrade', 'sarskilt_utsatt')),
    source_note VARCHAR,
    import_id   INTEGER NOT NULL,
    PRIMARY KEY (area_code, year)
);

CREATE TABLE police_area_geometry (
    area_code    VARCHAR NOT NULL,
    year         INTEGER NOT NULL,      -- year of the list the polygon belongs to
    geometry_wkb BLOB NOT NULL,         -- EPSG:3006
    area_km2     DOUBLE NOT NULL,
    import_id    INTEGER NOT NULL,
    PRIMARY KEY (area_code, year)
);

CREATE TABLE police_list_count (
    year            INTEGER PRIMARY KEY,
    utsatt          INTEGER,
    riskomrade      INTEGER,
    sarskilt_utsatt INTEGER,
    total           INTEGER,
    source_note     VARCHAR,
    import_id       INTEGER NOT NULL
);
