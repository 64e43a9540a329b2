package staffsync.auth;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one signature check costs in this JVM, JDK only: ES256 (P-256, the JWS r||s form),
 * RS256 (2048-bit) and HS256, each verified the way {@code VerificationKey.verifies} does it (a new
 * {@link Signature} per check). Run it under the JVM flags to compare, one JVM per flag set,
 * e.g. with and without -XX:TieredStopAtLevel=1 (bench/verify-cost.sh interleaves them).
 *
 * <p>Warms up first, then prints, per algorithm, the median over batches of the thread's CPU
 * time and of the wall time per verify, in microseconds: one line
 * {@code alg cpu_us wall_us}. CPU time is what a loaded machine disturbs least.
 *
 * <p>Arguments: [warm-up verifies] [batches] [verifies per batch] [threads], default 3000 15 200 1;
 * with 2 threads both verify at once (is the check parallel on 2 cores?), and the figures are the
 * medians of thread 0.
 */
public final class VerifyCost {
    public static void main(String[] args) throws Exception {
        int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int perBatch = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        byte[] input = ("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTk5OTk5OTk5OX0")
                .getBytes(StandardCharsets.US_ASCII);

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ecKeys = ec.generateKeyPair();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaKeys = rsa.generateKeyPair();

        report("ES256", "SHA256withECDSAinP1363Format", ecKeys, input, warmUp, batches, perBatch, threads);
        report("RS256", "SHA256withRSA", rsaKeys, input, warmUp / 4, batches, perBatch / 4, threads);
        reportHs256(input, warmUp, batches, perBatch);
    }

    /** HS256 as {@code VerificationKey.verifies} checks it: a new Mac per check, one thread. */
    private static void reportHs256(byte[] input, int warmUp, int batches, int perBatch) throws Exception {
        javax.crypto.spec.SecretKeySpec secret = new javax.crypto.spec.SecretKeySpec(
                "a-shared-secret-of-32-characters".getBytes(StandardCharsets.US_ASCII), "HmacSHA256");
        byte[] expected = mac(secret, input);
        for (int i = 0; i < warmUp; i++) {
            checkMac(secret, input, expected);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                checkMac(secret, input, expected);
            }
            wall.add((System.nanoTime() - wall0) / 1e3 / perBatch);
            cpu.add((mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / perBatch);
        }
        System.out.printf("HS256 cpu_us=%.1f wall_us=%.1f alloc_kb=-%n", median(cpu), median(wall));
    }

    private static byte[] mac(java.security.Key secret, byte[] input) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(secret);
        return mac.doFinal(input);
    }

    private static void checkMac(java.security.Key secret, byte[] input, byte[] expected) throws Exception {
        if (!java.security.MessageDigest.isEqual(mac(secret, input), expected)) {
            throw new IllegalStateException("a good HMAC did not match");
        }
    }

    private static void report(String name, String algorithm, KeyPair keys, byte[] input, int warmUp, int batches,
                               int perBatch, int threads) throws Exception {
        byte[] signature = sign(algorithm, keys.getPrivate(), input);
        verifyMany(algorithm, keys.getPublic(), input, signature, warmUp);
        double[][] results = new double[threads][];
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    results[index] = measure(algorithm, keys.getPublic(), input, signature, batches, perBatch);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join();
        }
        System.out.printf("%s cpu_us=%.0f wall_us=%.0f alloc_kb=%.0f%n", name, results[0][0], results[0][1], results[0][2]);
    }

    /** Medians over the batches of {CPU µs, wall µs, KiB allocated} per verify. */
    private static double[] measure(String algorithm, PublicKey key, byte[] input, byte[] signature, int batches,
                                    int perBatch) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        List<Double> allocated = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long bytes0 = mx.getThreadAllocatedBytes(self);
            long wall0 = System.nanoTime();
            verifyMany(algorithm, key, input, signature, perBatch);
            wall.add((System.nanoTime() - wall0) / 1e3 / perBatch);
            cpu.add((mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / perBatch);
            allocated.add((mx.getThreadAllocatedBytes(self) - bytes0) / 1024.0 / perBatch);
        }
        return new double[] {median(cpu), median(wall), median(allocated)};
    }

    private static void verifyMany(String algorithm, PublicKey key, byte[] input, byte[] signature, int count)
            throws Exception {
        for (int i = 0; i < count; i++) {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(input);
            if (!verifier.verify(signature)) {
                throw new IllegalStateException("a good signature did not verify");
            }
        }
    }

    private static byte[] sign(String algorithm, PrivateKey key, byte[] input) throws Exception {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(input);
        return signer.sign();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
