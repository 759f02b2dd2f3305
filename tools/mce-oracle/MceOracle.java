// Runs the official CMS Medicare Code Editor (Java release, ../shared/oracles/cms-java) on
// claims read from standard input and prints every edit it sets, one claim per line, so a
// test can compare coderaudit's MCE pack with CMS's own implementation edit by edit.
//
// Input, tab separated, one claim per line (blank fields allowed):
//   id, discharge date YYYYMMDD, age in years, sex (0 unknown, 1 male, 2 female),
//   discharge status (integer; blank = not reported, given to CMS as 0 because the Java
//   release stops with a NullPointerException on a missing status, and 0 is what a blank
//   numeric UB-04 field reads as), length of stay in days,
//   admitting diagnosis, principal diagnosis, secondary diagnoses (space separated),
//   procedures (space separated).  Codes without dots.
// Output, tab separated: id, CMS edit type, then the edits sorted:
//   "claim:EDIT" for claim-level edits (invalid age, sex, discharge status) and
//   "ADMIT:code:EDIT", "PDX:code:EDIT", "SDXn:code:EDIT", "PXn:code:EDIT" for code edits
//   (n is the 1-based position among the secondary diagnoses / procedures).
import gov.cms.editor.mce.MceComponent;
import gov.cms.editor.mce.model.MceDiagnosisCode;
import gov.cms.editor.mce.model.MceProcedureCode;
import gov.cms.editor.mce.model.enums.Edit;
import gov.cms.editor.mce.transfer.MceOutput;
import gov.cms.editor.mce.transfer.MceRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

public final class MceOracle {
  private static Integer intOrNull(String s) {
    return s.isBlank() ? null : Integer.valueOf(s.trim());
  }

  private static String[] words(String s) {
    return s.isBlank() ? new String[0] : s.trim().split(" +");
  }

  public static void main(String[] args) throws Exception {
    MceComponent mce = new MceComponent();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t", -1);
      if (f.length != 10) throw new IllegalArgumentException("expected 10 fields: " + line);
      MceDiagnosisCode admit = f[6].isBlank() ? null : new MceDiagnosisCode(f[6], false);
      MceRecord record = MceRecord.builder()
          .withDischargeDate(f[1])
          .withIcdVersion(10)
          .withAgeYears(intOrNull(f[2]))
          .withSex(intOrNull(f[3]))
          .withDischargeStatus(f[4].isBlank() ? Integer.valueOf(0) : intOrNull(f[4]))
          .withLengthOfStay(intOrNull(f[5]))
          .withAdmitDiagnosis(admit)
          .build();
      if (!f[7].isBlank()) record.addCode(new MceDiagnosisCode(f[7], true));
      for (String c : words(f[8])) record.addCode(new MceDiagnosisCode(c, false));
      for (String c : words(f[9])) record.addCode(new MceProcedureCode(c));
      mce.process(record);
      // The record holds its own copies of the codes: read the edits from them.
      MceDiagnosisCode pdx = record.getPrincipalDiagnosis();
      List<MceDiagnosisCode> sdx = record.getSecondaryDiagnoses();
      List<MceProcedureCode> px = record.getProcedures();
      MceOutput output = record.getMceOutput();
      List<String> edits = new ArrayList<>();
      for (Map.Entry<Edit, Integer> e : output.getEditCounter().entrySet()) {
        Edit edit = e.getKey();
        if (e.getValue() > 0 && (edit == Edit.INVALID_AGE || edit == Edit.INVALID_SEX
            || edit == Edit.INVALID_DISCHARGE_STATUS))
          edits.add("claim:" + edit.name());
      }
      if (admit != null)
        for (Edit e : admit.getEdits()) edits.add("ADMIT:" + admit.getValue() + ":" + e.name());
      if (pdx != null)
        for (Edit e : pdx.getEdits()) edits.add("PDX:" + pdx.getValue() + ":" + e.name());
      for (int i = 0; i < sdx.size(); ++i)
        for (Edit e : sdx.get(i).getEdits())
          edits.add("SDX" + (i + 1) + ":" + sdx.get(i).getValue() + ":" + e.name());
      for (int i = 0; i < px.size(); ++i)
        for (Edit e : px.get(i).getEdits())
          edits.add("PX" + (i + 1) + ":" + px.get(i).getValue() + ":" + e.name());
      Collections.sort(edits);
      out.print(f[0]);
      out.print('\t');
      out.print(output.getEditType());
      for (String e : edits) {
        out.print('\t');
        out.print(e);
      }
      out.print('\n');
    }
    out.flush();
  }
}
