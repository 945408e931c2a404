using System.Globalization;
using HomeSec.Actors.Hosting;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins.Storage.Dropbox;
using HomeSec.Core.Plugins.Storage.Local;
using Npgsql;

namespace HomeSec.Hosting;

/// <summary>
/// The lines <c>run</c> logs once it listens: version, cameras, state store, storage, HTTP address. Built from the
/// validated config only, and never from a secret: a PostgreSQL DSN shows host, port, database and user, no password.
/// </summary>
public static class StartupBanner
{
    public static IReadOnlyList<string> Lines(AppConfig config)
    {
        var lines = new List<string> { $"HomeSec {BuildInfo.Version} started" };
        lines.AddRange(config.Cameras.Select(camera => $"camera {camera.Name}: {camera.Source.Name}"));
        if (config.Cameras.Count == 0)
        {
            lines.Add("cameras: none configured");
        }

        if (config.Cluster.Enabled)
        {
            var cluster = config.Cluster;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"cluster: roles {string.Join(", ", cluster.Roles)}; remoting on {cluster.Hostname}:{cluster.Port} (as {cluster.PublicHostname ?? cluster.Hostname}); seeds {(cluster.SeedNodes.Count == 0 ? "none (founds the cluster)" : string.Join(", ", cluster.SeedNodes))}"));
        }

        if (config.Cluster.RunsNvr)
        {
            lines.Add($"state store: {StateStore(config.StateStore)}");
            lines.Add($"storage: {Storage(config.Storage)}");
        }
        else
        {
            lines.Add("inference-only node: cameras, clips, storage, state store and notifiers are not started");
        }

        lines.Add(config.Health.Enabled
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP: http://{config.Health.Host}:{config.Health.Port} (/health, /health/live, /health/ready, /metrics, /api/clips)")
            : "HTTP: off (health.enabled: false)");
        return lines;
    }

    private static string StateStore(StateStoreConfig store)
    {
        if (store.Backend != StateStoreBackend.Postgres)
        {
            return $"sqlite {Path.GetFullPath(store.SqlitePath)}";
        }

        // The connection string holds the password: only the parts that say where the database is are shown.
        var dsn = new NpgsqlConnectionStringBuilder(store.PostgresConnectionString);
        var user = string.IsNullOrEmpty(dsn.Username) ? "" : dsn.Username + "@";
        return string.Create(CultureInfo.InvariantCulture, $"postgres {user}{dsn.Host}:{dsn.Port}/{dsn.Database}");
    }

    private static string Storage(StorageConfig storage) => storage.Plugin.Options switch
    {
        LocalStorageOptions local => $"{storage.Plugin.Name} {Path.GetFullPath(local.Root)}",
        DropboxStorageOptions dropbox => $"{storage.Plugin.Name} {dropbox.Root}",
        _ => storage.Plugin.Name,
    };
}
