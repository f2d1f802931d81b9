import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.mustangproject.validator.ZUGFeRDValidator;

/**
 * Validates every file named on the command line in one JVM (the JVM, veraPDF and the Schematron XSLT load once:
 * ~8 s for the first file, well under 1 s for each next one) and prints one Mustang XML report per file, each after
 * a marker line. Run by scripts/lib/mustang/mustang.ts with the Mustang-CLI jar on the class path.
 */
public class MustangBatch {
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    for (int i = 0; i < args.length; i++) {
      String report;
      try {
        ZUGFeRDValidator validator = new ZUGFeRDValidator();
        validator.disableNotices();
        report = validator.validate(args[i]);
      } catch (Exception e) {
        String message = String.valueOf(e).replace("&", "&amp;").replace("<", "&lt;");
        report = "<validation><messages><exception type=\"java\">" + message + "</exception></messages><summary status=\"invalid\"/></validation>";
      }
      out.println("@@MUSTANG-REPORT " + i);
      out.println(report);
    }
    out.println("@@MUSTANG-END");
    out.flush();
  }
}
