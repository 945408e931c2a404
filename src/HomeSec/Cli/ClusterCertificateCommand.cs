using System.CommandLine;
using HomeSec.Core.Config;

namespace HomeSec.Cli;

/// <summary>
/// <c>homesec cluster certificate create PATH</c>: writes the household's cluster secret (a self-signed PKCS#12 file that
/// every node's <c>cluster.tls.certificate_path</c> points at), readable by its owner only, and prints its fingerprint.
/// </summary>
public static class ClusterCertificateCommand
{
    public static Command Build()
    {
        var path = new Argument<FileInfo>("path") { Description = "Where to write the .pfx file, e.g. /etc/homesec/household.pfx." };
        var passwordEnv = new Option<string?>("--password-env")
        {
            Description = "An environment variable holding a password for the file (then set cluster.tls.password_env to the same name on every node).",
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing file (every node then needs the new one)." };
        var create = new Command("create", "Create the household certificate that lets nodes join the cluster (copy the file to every node).") { path, passwordEnv, force };
        create.SetAction((parse, _) => Task.FromResult(Create(parse.GetValue(path)!, parse.GetValue(passwordEnv), parse.GetValue(force))));

        var command = new Command("certificate", "Manage the household certificate of a cluster (cluster.tls).");
        command.Subcommands.Add(create);
        return command;
    }

    private static int Create(FileInfo file, string? passwordEnv, bool force)
    {
        string? password = null;
        if (passwordEnv is not null)
        {
            password = Environment.GetEnvironmentVariable(passwordEnv);
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine($"homesec: environment variable '{passwordEnv}' (--password-env) is not set.");
                return ExitCodes.Usage;
            }
        }

        if (file.Exists && !force)
        {
            Console.Error.WriteLine($"homesec: '{file.FullName}' exists; nodes holding it would be locked out by a new one. Pass --force to replace it.");
            return ExitCodes.Usage;
        }

        if (file.Directory is { Exists: false } directory)
        {
            Console.Error.WriteLine($"homesec: the folder '{directory.FullName}' does not exist.");
            return ExitCodes.Usage;
        }

        var pkcs12 = ClusterTls.CreateHouseholdCertificate(password, DateTimeOffset.UtcNow);
        try
        {
            // Created 0600 from the start: the private key is never readable by others, not even for a moment.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(file.FullName, options))
            {
                stream.Write(pkcs12);
            }

            if (!OperatingSystem.IsWindows())
            {
                // A replaced file (--force) keeps its old mode otherwise.
                File.SetUnixFileMode(file.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"homesec: cannot write '{file.FullName}': {HomeSecCli.OneLine(ex.Message)}.");
            return ExitCodes.Failure;
        }

        var (certificate, _) = new ClusterTls(file.FullName, passwordEnv).Load(Environment.GetEnvironmentVariable);
        using (certificate)
        {
            Console.WriteLine($"wrote {file.FullName} (fingerprint SHA-256 {(certificate is null ? "?" : ClusterTls.Fingerprint(certificate))}, valid until {certificate?.NotAfter.ToUniversalTime():yyyy-MM-dd})");
        }

        Console.WriteLine("copy it to every node (owner-readable only) and set cluster.tls.certificate_path to it" +
            (passwordEnv is null ? "" : $", and cluster.tls.password_env: {passwordEnv}"));
        return ExitCodes.Ok;
    }
}
