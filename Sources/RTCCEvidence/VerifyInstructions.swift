/// The text of `VERIFY.txt`: how anyone can check a package with standard tools.
enum VerifyInstructions {
    static func text(fingerprint: String) -> String {
        """
        OpenRTCC evidence package — how to verify it
        ============================================

        This folder was exported by OpenRTCC. Its manifest.json lists the case, every
        camera clip with its exact wall-clock range, and the SHA-256 of every file.
        manifest.sig is an Ed25519 signature of manifest.json made with the key in
        public-key.pem. Run the steps below in this folder; each must succeed.

        Signing key fingerprint (SHA-256 of the raw 32-byte Ed25519 public key):
            \(fingerprint)
        Compare it with the fingerprint your agency published for its OpenRTCC server.

        1. Check that every file is intact:

            sha256sum -c SHA256SUMS

           Every line must end in "OK".

        2. Check the signature of the manifest (OpenSSL 3 or later):

            openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig

           It must print "Signature Verified Successfully".

        3. Check that public-key.pem is the key with the fingerprint above:

            openssl pkey -pubin -in public-key.pem -outform DER | tail -c 32 | sha256sum

           The printed digest must equal the fingerprint.

        4. Check that manifest.json lists the same digests as SHA256SUMS: the "sha256"
           of each entry under "files" must equal its line in SHA256SUMS.

        With OpenRTCC installed, one command does all of the above and also reports
        files that are missing or were added:

            rtcc evidence verify DIR

        """
    }
}
