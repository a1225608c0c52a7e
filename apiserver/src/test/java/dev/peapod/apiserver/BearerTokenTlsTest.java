package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server's TLS asks a session for client certificates only when it requests them. */
class BearerTokenTlsTest {
    /** A session without client certificate, as the JDK's: getPeerCertificates throws; counts the calls. */
    static SSLSession withoutClientCertificate(AtomicInteger asked) {
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class}, (p, m, args) -> {
            if (m.getName().equals("getPeerCertificates")) {
                asked.incrementAndGet();
                throw new SSLPeerUnverifiedException("peer not authenticated");
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    @Test
    void withoutClientCertificatesRequestedTheSessionIsNotAsked() {
        var asked = new AtomicInteger();
        assertThat(new BearerTokenTls().getX509CertChain(withoutClientCertificate(asked))).isNull();
        assertThat(asked).hasValue(0);
    }

    @Test
    void requestingClientCertificatesAsksTheSessionAsJettyDoes() {
        for (boolean need : new boolean[] {false, true}) {
            var tls = new BearerTokenTls();
            if (need) tls.setNeedClientAuth(true);
            else tls.setWantClientAuth(true);
            var asked = new AtomicInteger();
            assertThat(tls.getX509CertChain(withoutClientCertificate(asked))).isNull();
            assertThat(asked).as("need=" + need).hasValue(1);
        }
    }
}
