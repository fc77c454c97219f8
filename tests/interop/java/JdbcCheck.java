// JdbcCheck: the JDBC peer of pycert's interop tests. pgjdbc reads client keys only as
// PKCS#8 DER, which is why cockroach (and pycert) offer --also-generate-pkcs8-key.
//
//   java -cp <dir>:postgresql.jar JdbcCheck <jdbc-url>
//
// The URL carries user, sslmode, sslcert, sslkey and sslrootcert. Prints current_user and
// exits 0; on any failure prints "FAIL <message>" on stderr and exits 1.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

public class JdbcCheck {
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("FAIL usage: JdbcCheck <jdbc-url>");
            System.exit(1);
        }
        DriverManager.setLoginTimeout(10);
        try (Connection conn = DriverManager.getConnection(args[0]);
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("select current_user")) {
            rs.next();
            System.out.println(rs.getString(1));
        } catch (Exception e) {
            System.err.println("FAIL " + e);
            System.exit(1);
        }
    }
}
