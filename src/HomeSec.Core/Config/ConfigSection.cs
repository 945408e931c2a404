using System.Globalization;
using HomeSec.Core.Alerts;
using YamlDotNet.RepresentationModel;

namespace HomeSec.Core.Config;

/// <summary>
/// Strict, path-aware reading of one YAML mapping. Every read records its key, so keys nobody
/// read are reported as unknown; every bad value becomes a <see cref="ConfigError"/> that names
/// the key path, the value and what is allowed, and reading goes on so all errors come out at once.
/// </summary>
public sealed class ConfigSection
{
    private readonly YamlMappingNode? _node;
    private readonly ConfigReadContext _context;
    private readonly HashSet<string> _readKeys = new(StringComparer.Ordinal);
    private bool _ignoreUnknownKeys;

    internal ConfigSection(string path, YamlMappingNode? node, ConfigReadContext context)
    {
        Path = path;
        _node = node;
        _context = context;
        context.Track(this);
    }

    public string Path { get; }

    /// <summary>The activity types this config allows (built-in plus <c>vlm.extra_activity_types</c>), for any plugin that names activities.</summary>
    public ActivityVocabulary ActivityTypes => _context.ActivityTypes;

    public bool Has(string key) => Find(key) is not null;

    /// <summary>The keys this mapping has (user-chosen names, e.g. class names).</summary>
    public IReadOnlyList<string> Keys() =>
        _node is null ? [] : [.. _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).OfType<string>()];

    /// <summary>Whether the key holds a mapping (for keys that take a list or a map).</summary>
    public bool IsMapping(string key) => Find(key) is YamlMappingNode;

    /// <summary>How many errors the whole config read has recorded so far.</summary>
    internal int ErrorCount => _context.Errors.Count;

    public void Error(string key, string message) => _context.Errors.Add(new ConfigError(PathOf(key), message, Find(key)?.Start.Line is { } l ? (int)l : null));

    /// <summary>An error about this whole section (e.g. a name that refers to nothing).</summary>
    public void Error(string message) => _context.Errors.Add(new ConfigError(Path, message, LineOf(_node)));

    public string? String(string key, string? defaultValue = null, bool required = false)
    {
        switch (Find(key))
        {
            case null when required:
                _context.Errors.Add(new ConfigError(PathOf(key), "is required", LineOf(_node)));
                return defaultValue;
            case null:
                return defaultValue;
            case YamlScalarNode scalar when !IsNull(scalar):
                return scalar.Value!;
            case YamlScalarNode when required:
                Error(key, "is required and may not be empty");
                return defaultValue;
            case YamlScalarNode:
                return defaultValue;
            case var other:
                Error(key, $"expected a text value, got {Describe(other)}");
                return defaultValue;
        }
    }

    public string RequiredString(string key) => String(key, required: true) ?? "";

    /// <summary>An environment variable of the process reading the config (tests pass their own); null when unset or empty.</summary>
    public string? EnvironmentValue(string variable) => _context.Environment(variable) is { Length: > 0 } value ? value : null;

    /// <summary>An error about a value that came from an environment variable (named so the user finds it) overriding this section's key.</summary>
    public void EnvironmentError(string key, string variable, string message) =>
        _context.Errors.Add(new ConfigError($"{PathOf(key)} (from {variable})", message, LineOf(_node)));

    public T Choice<T>(string key, T defaultValue, IReadOnlyDictionary<string, T> allowed)
    {
        var text = String(key);
        if (text is null)
        {
            return defaultValue;
        }

        if (allowed.TryGetValue(text.Trim().ToLowerInvariant(), out var value))
        {
            return value;
        }

        Error(key, $"'{text}' is not allowed; allowed: {string.Join(", ", allowed.Keys)}");
        return defaultValue;
    }

    public int Int(string key, int defaultValue, int min, int max)
    {
        var text = Scalar(key, "a whole number");
        if (text is null)
        {
            return defaultValue;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(key, $"'{text}' is not allowed; expected a whole number from {min} to {max}");
        return defaultValue;
    }

    public double Number(string key, double defaultValue, double min, double max)
    {
        var text = Scalar(key, "a number");
        if (text is null)
        {
            return defaultValue;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(key, $"'{text}' is not allowed; expected a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return defaultValue;
    }

    public TimeSpan Seconds(string key, double defaultSeconds, double min, double max) =>
        TimeSpan.FromSeconds(Number(key, defaultSeconds, min, max));

    public bool Bool(string key, bool defaultValue)
    {
        var text = Scalar(key, "true or false");
        switch (text?.ToLowerInvariant())
        {
            case null:
                return defaultValue;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(key, $"'{text}' is not allowed; expected true or false");
                return defaultValue;
        }
    }

    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> defaultValue)
    {
        switch (Find(key))
        {
            case null:
                return defaultValue;
            case YamlScalarNode scalar when IsNull(scalar):
                return [];
            case YamlSequenceNode sequence:
                var values = new List<string>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (sequence.Children[i] is YamlScalarNode item && !IsNull(item))
                    {
                        values.Add(item.Value!);
                    }
                    else
                    {
                        _context.Errors.Add(new ConfigError($"{PathOf(key)}[{i}]", $"expected a text value, got {Describe(sequence.Children[i])}", LineOf(sequence.Children[i])));
                    }
                }

                return values;
            case var other:
                Error(key, $"expected a list of text values, got {Describe(other)}");
                return defaultValue;
        }
    }

    /// <summary>A nested mapping; absent gives an empty section so defaults apply.</summary>
    public ConfigSection Section(string key)
    {
        switch (Find(key))
        {
            case YamlMappingNode mapping:
                return new ConfigSection(PathOf(key), mapping, _context);
            case null:
            case YamlScalarNode scalar when IsNull(scalar):
                return new ConfigSection(PathOf(key), null, _context);
            case var other:
                Error(key, $"expected a mapping of keys to values, got {Describe(other)}");
                return new ConfigSection(PathOf(key), null, _context);
        }
    }

    /// <summary>A list of mappings, e.g. <c>cameras</c>.</summary>
    public IReadOnlyList<ConfigSection> Items(string key, bool required = false)
    {
        switch (Find(key))
        {
            case null when required:
                _context.Errors.Add(new ConfigError(PathOf(key), "is required (a list)", LineOf(_node)));
                return [];
            case null:
            case YamlScalarNode scalar when IsNull(scalar):
                return [];
            case YamlSequenceNode sequence:
                var items = new List<ConfigSection>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var itemPath = $"{PathOf(key)}[{i}]";
                    if (sequence.Children[i] is YamlMappingNode mapping)
                    {
                        items.Add(new ConfigSection(itemPath, mapping, _context));
                    }
                    else
                    {
                        _context.Errors.Add(new ConfigError(itemPath, $"expected a mapping of keys to values, got {Describe(sequence.Children[i])}", LineOf(sequence.Children[i])));
                    }
                }

                return items;
            case var other:
                Error(key, $"expected a list, got {Describe(other)}");
                return [];
        }
    }

    /// <summary>A mapping whose keys are names chosen by the user, e.g. <c>per_camera_alert</c>.</summary>
    public IReadOnlyList<(string Name, ConfigSection Section)> NamedSections(string key)
    {
        var parent = Section(key);
        if (parent._node is null)
        {
            return [];
        }

        var result = new List<(string, ConfigSection)>();
        foreach (var (keyNode, valueNode) in parent._node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: var keyText })
            {
                continue; // reported by UnknownKeys
            }

            var name = keyText ?? "";
            parent._readKeys.Add(name);
            switch (valueNode)
            {
                case YamlMappingNode mapping:
                    result.Add((name, new ConfigSection(parent.PathOf(name), mapping, _context)));
                    break;
                case YamlScalarNode scalar when IsNull(scalar):
                    result.Add((name, new ConfigSection(parent.PathOf(name), null, _context)));
                    break;
                default:
                    parent.Error(name, $"expected a mapping of keys to values, got {Describe(valueNode)}");
                    break;
            }
        }

        return result;
    }

    /// <summary>A mapping of names chosen by the user to text values, e.g. a webhook's extra <c>headers</c>; in file order.</summary>
    public IReadOnlyList<(string Name, string Value)> StringMap(string key)
    {
        switch (Find(key))
        {
            case null:
            case YamlScalarNode scalar when IsNull(scalar):
                return [];
            case YamlMappingNode mapping:
                var values = new List<(string, string)>();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var name = (keyNode as YamlScalarNode)?.Value ?? "";
                    if (valueNode is YamlScalarNode value && !IsNull(value))
                    {
                        values.Add((name, value.Value!));
                    }
                    else
                    {
                        _context.Errors.Add(new ConfigError($"{PathOf(key)}.{name}", $"expected a text value, got {Describe(valueNode)}", LineOf(valueNode)));
                    }
                }

                return values;
            case var other:
                Error(key, $"expected a mapping of names to text values, got {Describe(other)}");
                return [];
        }
    }

    /// <summary>
    /// Reads a <c>*_env</c> key: the name of an environment variable holding a secret. The variable
    /// must exist; errors name the variable, never its value.
    /// </summary>
    public string? Secret(string envKey, bool required)
    {
        if (!envKey.EndsWith("_env", StringComparison.Ordinal))
        {
            throw new ArgumentException("secret keys end in _env", nameof(envKey));
        }

        var variable = String(envKey, required: required);
        if (variable is null)
        {
            return null;
        }

        var value = _context.Environment(variable);
        if (value is null)
        {
            Error(envKey, $"environment variable '{variable}' is not set (set it, or change {PathOf(envKey)})");
            return null;
        }

        if (value.Trim().Length == 0)
        {
            Error(envKey, $"environment variable '{variable}' is set but empty (give it a value, or change {PathOf(envKey)})");
            return null;
        }

        if (value.Trim().Length != value.Length)
        {
            Error(envKey, $"environment variable '{variable}' starts or ends with whitespace, e.g. a trailing newline (remove it)");
            return null;
        }

        return value;
    }

    public string FullPath(string key) => PathOf(key);

    /// <summary>For a section whose schema is unknown (e.g. options of an unknown plugin): report no unknown keys in it.</summary>
    public void IgnoreUnknownKeys() => _ignoreUnknownKeys = true;

    internal IEnumerable<ConfigError> UnknownKeys()
    {
        if (_node is null || _ignoreUnknownKeys)
        {
            yield break;
        }

        foreach (var (keyNode, _) in _node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: var keyText })
            {
                yield return new ConfigError(Path.Length == 0 ? "(root)" : Path, $"a key must be plain text, got {Describe(keyNode)}", LineOf(keyNode), (int)keyNode.Start.Column);
                continue;
            }

            var key = keyText ?? "";
            if (!_readKeys.Contains(key))
            {
                var hint = _readKeys.Count > 0 ? $"; known keys here: {string.Join(", ", _readKeys.Order(StringComparer.Ordinal))}" : "";
                yield return new ConfigError(PathOf(key), $"unknown key{hint}", LineOf(keyNode));
            }
        }
    }

    private string? Scalar(string key, string expected)
    {
        switch (Find(key))
        {
            case null:
                return null;
            case YamlScalarNode scalar when IsNull(scalar):
                return null;
            case YamlScalarNode scalar:
                return scalar.Value!.Trim();
            case var other:
                Error(key, $"expected {expected}, got {Describe(other)}");
                return null;
        }
    }

    private YamlNode? Find(string key)
    {
        _readKeys.Add(key);
        if (_node is null)
        {
            return null;
        }

        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    private string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null";

    private static int? LineOf(YamlNode? node) => node is null ? null : (int)node.Start.Line;

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };
}
