-- coderaudit store, schema version 4: the claim fields the X12 837 and FHIR readers fill
-- (audit/model/encounter.hpp; schemas/x12-837-mapping.md, schemas/fhir-mapping.md), so an
-- encounter read from either round-trips through the store unchanged.
--
-- Every new column is NULL when the source did not report the value (the model's empty
-- string, empty code, zero or kDefault). NULL costs one header byte and no payload, like
-- '' or 0, so CSV runs, which never fill these fields, store no more than before; it reads
-- as "not reported" in SQL (IS NULL); and a version-3 store upgrades in place: ADD COLUMN
-- without a default rewrites no row, and the old rows read back as NULL.
-- Lists follow the existing columns: codes joined by ';' (as modifiers), numbers by ','
-- (as findings.lines).

-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

-- encounters: 837P CLM05-1 place of service ('11'); 837I type of bill, '0' + CLM05-1 +
-- CLM05-3 ('0111'); CLM05-3 frequency ('1', '7', '8'); CLM02 / Claim.total in cents (NULL
-- for 0); rendering and attending provider ids; the admitting diagnosis as stored in
-- encounter_lines.code ('R0789'); the reasons for visit in order ('R51;R1110').
ALTER TABLE encounters ADD COLUMN place_of_service TEXT;
ALTER TABLE encounters ADD COLUMN type_of_bill TEXT;
ALTER TABLE encounters ADD COLUMN claim_frequency TEXT;
ALTER TABLE encounters ADD COLUMN total_charge_cents INTEGER;
ALTER TABLE encounters ADD COLUMN rendering_provider_id TEXT;
ALTER TABLE encounters ADD COLUMN attending_provider_id TEXT;
ALTER TABLE encounters ADD COLUMN admitting_dx TEXT;
ALTER TABLE encounters ADD COLUMN visit_reason_dx TEXT;

-- encounter_lines: code_system 'ICD9' or 'OTHER' (NULL: the system code_type implies);
-- 837I SV201 / FHIR item.revenue revenue code ('0450'); the line's own place of service
-- (837P SV105); the four diagnosis pointer slots in order with trailing unused (0) slots
-- dropped ({1,3,0,0} -> '1,3').
ALTER TABLE encounter_lines ADD COLUMN code_system TEXT;
ALTER TABLE encounter_lines ADD COLUMN revenue_code TEXT;
ALTER TABLE encounter_lines ADD COLUMN place_of_service TEXT;
ALTER TABLE encounter_lines ADD COLUMN dx_pointers TEXT;
