package dev.peapod.apiserver;

import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.SSLSession;
import java.security.cert.X509Certificate;

/**
 * Jetty's server TLS factory for an API server whose clients authenticate by bearer token
 * ({@link ApiHandler}): no client certificate is requested (neither {@code needClientAuth} nor
 * {@code wantClientAuth}), so a session never has a peer certificate chain.
 *
 * <p>Jetty (12.1) asks each new TLS connection for its client certificates once, when the first
 * request reads the connection's {@code SslSessionData} (for the request's scheme and
 * {@code SecureRequestCustomizer}'s attributes): {@code SslContextFactory.getX509CertChain} calls
 * {@code SSLSession.getPeerCertificates()}, which for a client without certificate throws
 * {@code SSLPeerUnverifiedException} ("peer not authenticated"), caught and turned into null — an
 * exception with its stack trace built on every connection ({@code kubectl get pods}: one). When no
 * client certificate is asked for, the answer is known to be null without asking; if one is
 * (a future client-certificate authentication), Jetty's lookup is used as before.
 */
final class BearerTokenTls extends SslContextFactory.Server {
    @Override
    public X509Certificate[] getX509CertChain(SSLSession sslSession) {
        if (!getNeedClientAuth() && !getWantClientAuth()) return null;
        return super.getX509CertChain(sslSession);
    }
}
