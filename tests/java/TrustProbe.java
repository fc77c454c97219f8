// GET a URL with the JDK's default trust store (no javax.net.ssl.trustStore): what any Java
// client of the DB Console sees. Prints java.home, then status=<code> and the body, or
// REFUSED <reason> with exit 3.
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;

public class TrustProbe {
    public static void main(String[] args) throws Exception {
        System.out.println("java.home=" + System.getProperty("java.home"));
        try {
            HttpsURLConnection c = (HttpsURLConnection) new URL(args[0]).openConnection();
            c.setConnectTimeout(10000);
            c.setReadTimeout(10000);
            System.out.println("status=" + c.getResponseCode());
            System.out.println(new String(c.getInputStream().readAllBytes(), "UTF-8"));
        } catch (SSLHandshakeException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.exit(3);
        }
    }
}
