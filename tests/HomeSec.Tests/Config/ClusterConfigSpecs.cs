using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Config;

/// <summary><c>cluster</c>: off by default, its keys validated by path, and the container environment overriding them.</summary>
public sealed class ClusterConfigSpecs
{
    private static string Yolo => $"filter:\n  backend: yolo\n  config: {{model_path: {YoloTestData.RedPatchModel}}}\n";

    private static AppConfig Load(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Lookup(environment));

    private static IReadOnlyList<ConfigError> ErrorsOf(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<ConfigException>(() => Load(yaml, environment)).Errors;

    private static Func<string, string?> Lookup(IReadOnlyDictionary<string, string>? environment) =>
        name => environment is not null && environment.TryGetValue(name, out var value) ? value : null;

    [Fact]
    public void Should_be_disabled_with_every_role_when_there_is_no_cluster_section()
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage;

        // When
        var cluster = Load(yaml).Cluster;

        // Then
        Assert.False(cluster.Enabled);
        Assert.True(cluster.RunsNvr);
        Assert.False(cluster.OffersInference);
        Assert.Equal(4053, cluster.Port);
    }

    [Fact]
    public void Should_read_roles_addresses_and_seeds_and_complete_short_seed_addresses()
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + Yolo
            + "cluster: {enabled: true, allow_plaintext: true, roles: [nvr, inference], hostname: 0.0.0.0, public_hostname: nvr.lan, port: 4100, seed_nodes: ['nvr.lan:4100', 'akka.tcp://homesec@10.0.0.2:4053']}\n";

        // When
        var cluster = Load(yaml).Cluster;

        // Then
        Assert.True(cluster.Enabled);
        Assert.Equal(["nvr", "inference"], cluster.Roles);
        Assert.Equal("nvr.lan", cluster.PublicHostname);
        Assert.Equal(4100, cluster.Port);
        Assert.Equal(["akka.tcp://homesec@nvr.lan:4100", "akka.tcp://homesec@10.0.0.2:4053"], cluster.SeedNodes);
        Assert.True(cluster.OffersInference);
    }

    [Fact]
    public void Should_take_seeds_public_hostname_port_and_roles_from_the_environment_over_the_file()
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + Yolo + "cluster: {enabled: true, allow_plaintext: true, roles: [nvr], port: 4053, seed_nodes: ['a:1']}\n";
        var environment = new Dictionary<string, string>
        {
            [AppConfigLoader.SeedNodesVariable] = "nvr:4053, akka.tcp://homesec@gpu:4054",
            [AppConfigLoader.PublicHostnameVariable] = "gpu",
            [AppConfigLoader.PortVariable] = "4054",
            [AppConfigLoader.RolesVariable] = "inference",
        };

        // When
        var cluster = Load(yaml, environment).Cluster;

        // Then
        Assert.Equal(["akka.tcp://homesec@nvr:4053", "akka.tcp://homesec@gpu:4054"], cluster.SeedNodes);
        Assert.Equal("gpu", cluster.PublicHostname);
        Assert.Equal(4054, cluster.Port);
        Assert.Equal(["inference"], cluster.Roles);
        Assert.False(cluster.RunsNvr);
    }

    [Fact]
    public void Should_refuse_plain_tcp_on_every_interface_naming_cluster_tls_and_the_way_out()
    {
        // Given: the default hostname 0.0.0.0 and no certificate
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + "cluster: {enabled: true, roles: [nvr]}\n";

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("cluster.tls", error.Path);
        Assert.Contains("homesec cluster certificate create", error.Message, StringComparison.Ordinal);
        Assert.Contains("cluster.allow_plaintext: true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_allow_plain_tcp_on_loopback_or_when_allow_plaintext_says_the_network_is_trusted()
    {
        // Given
        var loopback = ConfigYaml.Camera + ConfigYaml.Storage + "cluster: {enabled: true, roles: [nvr], hostname: 127.0.0.1}\n";
        var trusted = ConfigYaml.Camera + ConfigYaml.Storage + "cluster: {enabled: true, roles: [nvr], allow_plaintext: true}\n";

        // When
        var fromLoopback = Load(loopback).Cluster;
        var fromTrusted = Load(trusted).Cluster;

        // Then
        Assert.Null(fromLoopback.Tls);
        Assert.Null(fromTrusted.Tls);
    }

    [Fact]
    public void Should_open_the_household_certificate_with_the_password_from_the_named_variable_and_address_seeds_over_tls()
    {
        // Given
        var path = TempCertificate("s3cret");
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + $"cluster: {{enabled: true, roles: [nvr], seed_nodes: ['nvr.lan:4053', 'akka.tcp://homesec@10.0.0.2:4053'], " +
            $"tls: {{certificate_path: '{path}', password_env: CLUSTER_PFX_PASSWORD}}}}\n";

        // When
        var cluster = Load(yaml, new Dictionary<string, string> { ["CLUSTER_PFX_PASSWORD"] = "s3cret" }).Cluster;
        var (certificate, problem) = cluster.Tls!.Load(name => name == "CLUSTER_PFX_PASSWORD" ? "s3cret" : null);

        // Then
        Assert.Equal(path, cluster.Tls.CertificatePath);
        Assert.Equal(["akka.ssl.tcp://homesec@nvr.lan:4053", "akka.ssl.tcp://homesec@10.0.0.2:4053"], cluster.SeedNodes);
        Assert.StartsWith("akka.ssl.tcp://homesec@", cluster.SelfAddress, StringComparison.Ordinal);
        Assert.Null(problem);
        Assert.True(certificate!.HasPrivateKey);
        Assert.Equal(64, ClusterTls.Fingerprint(certificate).Length);
        certificate.Dispose();
        File.Delete(path);
    }

    [Theory]
    [InlineData("missing", null, "certificate_path", "does not exist")]
    [InlineData("wrong-password", "nope", "certificate_path", "is not a PKCS#12 file this password opens")]
    [InlineData("unset-variable", null, "password_env", "environment variable 'CLUSTER_PFX_PASSWORD' (password_env) is not set")]
    [InlineData("not-a-certificate", null, "certificate_path", "is not a PKCS#12 file")]
    public void Should_name_the_tls_key_when_the_certificate_cannot_be_used(string fault, string? password, string key, string message)
    {
        // Given
        var path = TempCertificate("s3cret");
        switch (fault)
        {
            case "missing":
                File.Delete(path);
                break;
            case "not-a-certificate":
                File.WriteAllText(path, "-----BEGIN NOTHING-----");
                break;
        }

        var passwordEnv = fault == "missing" || fault == "not-a-certificate" ? "" : ", password_env: CLUSTER_PFX_PASSWORD";
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + $"cluster: {{enabled: true, roles: [nvr], tls: {{certificate_path: '{path}'{passwordEnv}}}}}\n";
        var environment = password is null ? null : new Dictionary<string, string> { ["CLUSTER_PFX_PASSWORD"] = password };

        // When
        var errors = ErrorsOf(yaml, environment);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal($"cluster.tls.{key}", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        File.Delete(path);
    }

    private static string TempCertificate(string? password)
    {
        var path = Path.Combine(Path.GetTempPath(), $"homesec-household-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, ClusterTls.CreateHouseholdCertificate(password, DateTimeOffset.UtcNow));
        return path;
    }

    [Fact]
    public void Should_name_the_key_and_the_allowed_roles_when_a_role_is_unknown()
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + "cluster: {enabled: true, allow_plaintext: true, roles: [nvr, gpu]}\n";

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("cluster.roles", error.Path);
        Assert.Contains("'gpu' is not allowed; allowed: nvr, inference", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_variable_when_the_port_from_the_environment_is_not_a_port()
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + "cluster: {enabled: true, allow_plaintext: true, roles: [nvr]}\n";

        // When
        var errors = ErrorsOf(yaml, new Dictionary<string, string> { [AppConfigLoader.PortVariable] = "70000" });

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("cluster.port (from HOMESEC_CLUSTER_PORT)", error.Path);
        Assert.Contains("'70000' is not allowed; expected a whole number from 1 to 65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_put_the_frame_port_next_to_the_remoting_port_unless_the_file_or_the_environment_says_otherwise()
    {
        // Given
        var cluster = Yolo + "cluster: {enabled: true, allow_plaintext: true, roles: [inference], seed_nodes: ['nvr:4053'], port: 5000";
        var framePortVariable = new Dictionary<string, string> { [AppConfigLoader.FramePortVariable] = "6100" };

        // When
        var byDefault = Load(ConfigYaml.Storage + cluster + "}\n").Cluster;
        var fromFile = Load(ConfigYaml.Storage + cluster + ", frame_port: 0}\n").Cluster;
        var fromEnvironment = Load(ConfigYaml.Storage + cluster + ", frame_port: 0}\n", framePortVariable).Cluster;

        // Then
        Assert.Equal(5001, byDefault.FramePort);
        Assert.Equal(0, fromFile.FramePort);
        Assert.Equal(6100, fromEnvironment.FramePort);
    }

    [Fact]
    public void Should_give_an_inference_node_a_minute_to_join_unless_the_file_says_otherwise()
    {
        // Given
        var cluster = Yolo + "cluster: {enabled: true, allow_plaintext: true, roles: [inference], seed_nodes: ['nvr:4053']";

        // When
        var byDefault = Load(ConfigYaml.Storage + cluster + "}\n").Cluster;
        var forEver = Load(ConfigYaml.Storage + cluster + ", join_timeout_s: 0}\n").Cluster;
        var errors = ErrorsOf(ConfigYaml.Storage + cluster + ", join_timeout_s: -5}\n");

        // Then
        Assert.Equal(TimeSpan.FromSeconds(60), byDefault.JoinTimeout);
        Assert.Equal(TimeSpan.Zero, forEver.JoinTimeout);
        var error = Assert.Single(errors);
        Assert.Equal("cluster.join_timeout_s", error.Path);
        Assert.Contains("3600", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frame_port: 4053", null, "cluster.frame_port", "4053 is the remoting port (cluster.port) too")]
    [InlineData("frame_port: -1", null, "cluster.frame_port", "0")]
    [InlineData("frame_port: 4060", "http", "cluster.frame_port (from HOMESEC_CLUSTER_FRAME_PORT)", "expected a whole number from 0 (no frame port) to 65535")]
    public void Should_name_the_key_when_the_frame_port_is_not_one(string setting, string? fromEnvironment, string path, string message)
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + $"cluster: {{enabled: true, allow_plaintext: true, roles: [nvr], port: 4053, {setting}}}\n";
        var environment = fromEnvironment is null ? null : new Dictionary<string, string> { [AppConfigLoader.FramePortVariable] = fromEnvironment };

        // When
        var errors = ErrorsOf(yaml, environment);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("akka.tcp://other@nvr:4053")]
    [InlineData("nvr")]
    [InlineData("http://homesec@nvr:4053")]
    public void Should_name_the_key_and_the_expected_form_when_a_seed_node_is_not_an_address(string seed)
    {
        // Given
        var yaml = ConfigYaml.Camera + ConfigYaml.Storage + $"cluster: {{enabled: true, allow_plaintext: true, roles: [nvr], seed_nodes: ['{seed}']}}\n";

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("cluster.seed_nodes", error.Path);
        Assert.Contains("expected HOST:PORT (or akka.tcp://homesec@HOST:PORT)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_need_no_cameras_but_a_seed_and_a_model_on_an_inference_only_node()
    {
        // Given
        var withoutModel = ConfigYaml.Storage + "cluster: {enabled: true, allow_plaintext: true, roles: [inference]}\n";
        var complete = ConfigYaml.Storage + Yolo + "cluster: {enabled: true, allow_plaintext: true, roles: [inference], seed_nodes: ['nvr:4053']}\n";

        // When
        var errors = ErrorsOf(withoutModel);
        var config = Load(complete);

        // Then
        Assert.Equal(["cluster.roles", "cluster.seed_nodes"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("needs a filter that runs a model", StringComparison.Ordinal));
        Assert.Empty(config.Cameras);
        Assert.False(config.Cluster.RunsNvr);
    }
}

/// <summary>The two configs of deploy/docker-compose.cluster.yml load (with the test model in place of yolov8n.onnx).</summary>
public sealed class ClusterComposeConfigSpecs
{
    [Theory]
    [InlineData("cluster-nvr.yaml", true)]
    [InlineData("cluster-inference.yaml", false)]
    public void Should_load_with_the_roles_it_names_when_a_compose_config_is_read(string file, bool runsNvr)
    {
        // Given
        var certificate = Path.Combine(Path.GetTempPath(), $"homesec-household-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(certificate, ClusterTls.CreateHouseholdCertificate(null, DateTimeOffset.UtcNow));
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "config", file))
            .Replace("/models/yolov8n.onnx", YoloTestData.RedPatchModel, StringComparison.Ordinal)
            .Replace("/run/secrets/household.pfx", certificate, StringComparison.Ordinal);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null);

        // Then
        Assert.True(config.Cluster.Enabled);
        Assert.Equal(runsNvr, config.Cluster.RunsNvr);
        Assert.Equal(4053, config.Cluster.Port);
        Assert.Equal(certificate, config.Cluster.Tls?.CertificatePath);
        File.Delete(certificate);
    }
}
