using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeSec.Core.Web;

/// <summary>A user saved by <c>homesec user add</c>.</summary>
public sealed record SavedUser(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("password_hash")] string PasswordHash,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

/// <summary>An API token saved by <c>homesec token create</c>: only its SHA-256 is kept, the token is shown once.</summary>
public sealed record SavedToken(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

/// <summary>
/// Users (<c>users.json</c>) and API tokens (<c>tokens.json</c>) in <c>state_store.local_state_dir</c>, plus the users
/// the config names with a hash from an environment variable. Files are written atomically with mode 0600 and read
/// again when they change, so <c>homesec user add</c> / <c>token create</c> take effect on a running daemon.
/// </summary>
public sealed class Credentials(string localStateDir, IReadOnlyList<EnvUser> envUsers)
{
    public const string TokenPrefix = "hs_";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly Lock _lock = new();
    private (DateTime WrittenAt, IReadOnlyList<SavedUser> Users)? _users;
    private (DateTime WrittenAt, IReadOnlyList<SavedToken> Tokens)? _tokens;

    public string UsersPath => Path.Combine(localStateDir, "users.json");

    public string TokensPath => Path.Combine(localStateDir, "tokens.json");

    /// <summary>
    /// The token the CLI on this machine uses (<c>homesec mode set</c>, <c>inspect</c>): whoever can read the local
    /// state folder can already change the daemon, so the file's permission (0600) is the access rule.
    /// </summary>
    public string CliTokenPath => Path.Combine(localStateDir, "cli-token");

    /// <summary>Makes the CLI token once (the daemon calls this at start); an existing one stays.</summary>
    public void EnsureCliToken()
    {
        if (File.Exists(CliTokenPath))
        {
            return;
        }

        WriteSecretFile(CliTokenPath, NewToken());
    }

    /// <summary>The CLI token the daemon of this local state folder accepts; null when it has not made one.</summary>
    public static string? ReadCliToken(string localStateDir)
    {
        var path = Path.Combine(localStateDir, "cli-token");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool HasUsers => envUsers.Count > 0 || Users().Count > 0;

    public IReadOnlyList<string> UserNamesKnown => [.. envUsers.Select(u => u.Name).Concat(Users().Select(u => u.Name)).Distinct(StringComparer.Ordinal)];

    /// <summary>The user's name as saved when the password is right; null otherwise (unknown users cost the same time).</summary>
    public string? CheckPassword(string userName, string password)
    {
        var hash = envUsers.FirstOrDefault(u => string.Equals(u.Name, userName, StringComparison.Ordinal))?.PasswordHash
                   ?? Users().FirstOrDefault(u => string.Equals(u.Name, userName, StringComparison.Ordinal))?.PasswordHash;
        if (hash is null)
        {
            PasswordHasher.Verify(password, DummyHash.Value); // same work as a real check: no timing hint that the name exists
            return null;
        }

        return PasswordHasher.Verify(password, hash) ? userName : null;
    }

    /// <summary>The token's name when it is one we issued; null otherwise.</summary>
    public string? CheckToken(string token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return null;
        }

        if (ReadCliToken(localStateDir) is { Length: > 0 } cli && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(cli), Encoding.UTF8.GetBytes(token)))
        {
            return "cli";
        }

        var digest = Digest(token);
        return Tokens().FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(t.Sha256), Encoding.ASCII.GetBytes(digest)))?.Name;
    }

    /// <summary>Adds or replaces a user (same name: a new password).</summary>
    public void SaveUser(string name, string password, TimeProvider clock)
    {
        var users = Users().Where(u => !string.Equals(u.Name, name, StringComparison.Ordinal)).Append(new SavedUser(name, PasswordHasher.Hash(password), clock.GetUtcNow())).ToList();
        Write(UsersPath, users);
    }

    public bool RemoveUser(string name)
    {
        var users = Users().ToList();
        if (users.RemoveAll(u => string.Equals(u.Name, name, StringComparison.Ordinal)) == 0)
        {
            return false;
        }

        Write(UsersPath, users);
        return true;
    }

    /// <summary>Issues a token; the returned text is the only time it is seen.</summary>
    public string CreateToken(string name, TimeProvider clock)
    {
        var token = NewToken();
        Write(TokensPath, Tokens().Append(new SavedToken(name, Digest(token), clock.GetUtcNow())).ToList());
        return token;
    }

    public bool RevokeToken(string name)
    {
        var tokens = Tokens().ToList();
        if (tokens.RemoveAll(t => string.Equals(t.Name, name, StringComparison.Ordinal)) == 0)
        {
            return false;
        }

        Write(TokensPath, tokens);
        return true;
    }

    public IReadOnlyList<SavedToken> Tokens()
    {
        lock (_lock)
        {
            return Load(TokensPath, ref _tokens);
        }
    }

    public IReadOnlyList<SavedUser> Users()
    {
        lock (_lock)
        {
            return Load(UsersPath, ref _users);
        }
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    private static string NewToken() =>
        TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Digest(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static IReadOnlyList<T> Load<T>(string path, ref (DateTime WrittenAt, IReadOnlyList<T> Items)? cache)
    {
        var writtenAt = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
        if (cache is { } cached && cached.WrittenAt == writtenAt)
        {
            return cached.Items;
        }

        IReadOnlyList<T> items;
        try
        {
            items = writtenAt == DateTime.MinValue ? [] : JsonSerializer.Deserialize<List<T>>(File.ReadAllText(path), Json) ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a valid credentials file ({ex.Message}); fix or delete it", ex);
        }

        cache = (writtenAt, items);
        return items;
    }

    private void Write<T>(string path, IReadOnlyList<T> items)
    {
        WriteSecretFile(path, JsonSerializer.Serialize(items, Json));
        lock (_lock)
        {
            _users = null;
            _tokens = null;
        }
    }

    private void WriteSecretFile(string path, string content)
    {
        Directory.CreateDirectory(localStateDir);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
