package dev.portcullis.proxy;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * In the root package, not in {@code ssh}, because the protocol packages stay free of Quarkus (docs/adr/0002).
 * Apache MINA SSHD classes that SSHD instantiates by reflection, which a native image only allows for
 * registered classes (there is no Quarkus extension for SSHD, and sshd-common/sshd-core ship no
 * native-image configuration). Only the no-arg constructors are needed. Evidence, from the 2.16/2.17 jars:
 * <ul>
 * <li>{@code Nio2ServiceFactoryFactory}: with no {@code IoServiceFactoryFactory} configured or found by
 * {@code ServiceLoader} (none is), {@code DefaultIoServiceFactoryFactory} falls back to
 * {@code BuiltinIoServiceFactoryFactories.NIO2.create()}, which is
 * {@code ReflectionUtils.newInstance(Nio2ServiceFactoryFactory.class)} ({@code getDeclaredConstructor().newInstance()}).
 * Both {@code ssh.SshProxyServer} and {@code ssh.TargetConnector} start their SSHD instance this way.</li>
 * <li>the three registrars of {@code SecurityUtils.DEFAULT_SECURITY_PROVIDER_REGISTRARS}:
 * {@code SecurityUtils.register()} loads each by name ({@code ThreadUtils.createDefaultInstance}, i.e.
 * {@code ClassLoader.loadClass} + constructor) and throws {@code IllegalStateException} if one cannot be
 * created, so an unregistered one would break every SSHD key and cipher lookup. The BouncyCastle and
 * EdDSA registrars name their providers only as strings, so registering them pulls in no missing class;
 * they report themselves unsupported, as on the JVM, where neither provider is on the classpath.</li>
 * </ul>
 */
@RegisterForReflection(
        methods = false,
        fields = false,
        targets = {
            org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory.class,
            org.apache.sshd.common.util.security.SunJCESecurityProviderRegistrar.class,
            org.apache.sshd.common.util.security.bouncycastle.BouncyCastleSecurityProviderRegistrar.class,
            org.apache.sshd.common.util.security.eddsa.EdDSASecurityProviderRegistrar.class
        })
final class SshdReflection {

    private SshdReflection() {}
}
