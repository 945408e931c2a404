using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace HomeSec.Core.Config.Options;

/// <summary>
/// Reads an options record from one config section by its <see cref="OptionAttribute"/>s: each annotated property
/// is read through the strict <see cref="ConfigSection"/> (so errors name the key path, the value and what is
/// allowed, and keys nobody read are reported as unknown), and falls back to the record's own default. What no
/// attribute can say (secrets, paths, cross-key rules) the record's <c>Read</c> adds after binding.
/// </summary>
public static class OptionBinder
{
    private static readonly ConcurrentDictionary<Type, OptionsShape> Shapes = new();

    public static T Bind<T>(ConfigSection section) where T : class => (T)Bind(typeof(T), section);

    /// <summary>The record with every option at its declared default (members no option declares are left unset).</summary>
    public static T Defaults<T>() where T : class => (T)Bind(typeof(T), null);

    /// <summary>Every option of <typeparamref name="T"/>: key, default, range and description (groups flattened), for docs and specs.</summary>
    public static IReadOnlyList<OptionDescription> Describe<T>() => ShapeOf(typeof(T)).Describe();

    private static object Bind(Type type, ConfigSection? section)
    {
        var shape = ShapeOf(type);
        // A parameter no option declares (a secret, a path, a parsed value) is left unset: the record's Read sets it.
        var arguments = shape.Parameters.Select(p => p.Property is null ? p.Default : Read(p.Property, p.Default, section)).ToArray();
        var options = shape.Constructor.Invoke(arguments);
        foreach (var property in shape.InitProperties)
        {
            property.Info.SetValue(options, Read(property, property.Info.GetValue(options), section));
        }

        return options;
    }

    private static object? Read(BoundProperty property, object? defaultValue, ConfigSection? section)
    {
        if (property.Option is null)
        {
            return Bind(property.Info.PropertyType, section);
        }

        if (section is null)
        {
            return defaultValue;
        }

        var option = property.Option;
        var type = Nullable.GetUnderlyingType(property.Info.PropertyType) ?? property.Info.PropertyType;
        return type switch
        {
            _ when type == typeof(int) => section.Int(option.Key, (int)defaultValue!, IntBound(option.Min), IntBound(option.Max)),
            _ when type == typeof(double) => section.Number(option.Key, (double)defaultValue!, option.Min, option.Max),
            _ when type == typeof(float) => (float)section.Number(option.Key, (float)defaultValue!, option.Min, option.Max),
            _ when type == typeof(TimeSpan) => section.Seconds(option.Key, ((TimeSpan)defaultValue!).TotalSeconds, option.Min, option.Max),
            _ when type == typeof(bool) => section.Bool(option.Key, (bool)defaultValue!),
            _ when type == typeof(string) => section.String(option.Key, (string?)defaultValue, option.Required),
            _ when type == typeof(IReadOnlyList<string>) => section.StringList(option.Key, (IReadOnlyList<string>?)defaultValue ?? []),
            _ when type.IsEnum => ReadChoice(section, option.Key, defaultValue!, type),
            _ => throw new InvalidOperationException($"option '{option.Key}' ({property.Info.DeclaringType?.Name}.{property.Info.Name}) has a type the binder cannot read: {type.Name}"),
        };
    }

    private static object ReadChoice(ConfigSection section, string key, object defaultValue, Type enumType) =>
        section.Choice(key, defaultValue, WireNames(enumType).ToDictionary(v => v.WireName, v => v.Value, StringComparer.Ordinal));

    /// <summary>An enum's values by YAML spelling, in declaration order (the order the error message lists them in).</summary>
    private static IEnumerable<(string WireName, object Value)> WireNames(Type enumType) =>
        enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .OrderBy(f => f.MetadataToken)
            .Select(f => (f.GetCustomAttribute<OptionValueAttribute>()?.WireName ?? f.Name.ToLowerInvariant(), f.GetValue(null)!));

    private static int IntBound(double bound) => bound switch
    {
        <= int.MinValue => int.MinValue,
        >= int.MaxValue => int.MaxValue,
        _ => (int)bound,
    };

    private static OptionsShape ShapeOf(Type type) => Shapes.GetOrAdd(type, OptionsShape.Of);

    private sealed record BoundProperty(PropertyInfo Info, OptionAttribute? Option);

    /// <param name="Property">Null for a parameter no option declares.</param>
    private sealed record BoundParameter(BoundProperty? Property, object? Default);

    /// <summary>How one options type is built: its constructor's parameters (positional records) and its other annotated properties.</summary>
    private sealed record OptionsShape(ConstructorInfo Constructor, IReadOnlyList<BoundParameter> Parameters, IReadOnlyList<BoundProperty> InitProperties)
    {
        public static OptionsShape Of(Type type)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
                ?? throw new InvalidOperationException($"{type.Name} has no public constructor to bind options into");
            var annotated = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => new BoundProperty(p, p.GetCustomAttribute<OptionAttribute>()))
                .Where(p => p.Option is not null || p.Info.GetCustomAttribute<OptionGroupAttribute>() is not null)
                .ToList();
            var parameters = constructor.GetParameters().Select(parameter =>
            {
                var property = annotated.FirstOrDefault(p => string.Equals(p.Info.Name, parameter.Name, StringComparison.Ordinal));
                if (property?.Option is not { } option)
                {
                    return new BoundParameter(property, property is null ? UnsetValue(parameter.ParameterType) : null);
                }

                if (parameter.HasDefaultValue)
                {
                    return new BoundParameter(property, parameter.DefaultValue);
                }

                return option.Default is { } declared
                    ? new BoundParameter(property, AsParameterType(declared, parameter.ParameterType))
                    : throw new InvalidOperationException($"{type.Name}'s option '{option.Key}' has no default: give its parameter a default value (or the attribute's Default)");
            }).ToList();
            var initProperties = annotated.Where(p => parameters.All(b => b.Property?.Info != p.Info)).ToList();
            return new OptionsShape(constructor, parameters, initProperties);
        }

        public IReadOnlyList<OptionDescription> Describe()
        {
            var defaults = Bind(Constructor.DeclaringType!, null);
            return Parameters.Where(p => p.Property is not null).Select(p => (Property: p.Property!, p.Default))
                .Concat(InitProperties.Select(p => (Property: p, Default: p.Info.GetValue(defaults))))
                .SelectMany(p => p.Property.Option is { } option
                    ? [new OptionDescription(option.Key, Text(p.Default), option.Min == double.MinValue ? null : option.Min,
                        option.Max == double.MaxValue ? null : option.Max, option.Required, option.Description)]
                    : ShapeOf(p.Property.Info.PropertyType).Describe())
                .ToList();
        }

        private static object? UnsetValue(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

        /// <summary>An attribute can hold only constants: a <see cref="TimeSpan"/> default is given in seconds.</summary>
        private static object AsParameterType(object declared, Type type) => type switch
        {
            _ when type == typeof(TimeSpan) => TimeSpan.FromSeconds(Convert.ToDouble(declared, CultureInfo.InvariantCulture)),
            // 2 where 2.0 was meant: the attribute holds whatever constant was written.
            _ when type.IsPrimitive => Convert.ChangeType(declared, type, CultureInfo.InvariantCulture),
            _ => declared,
        };

        private static string? Text(object? value) => value switch
        {
            null => null,
            TimeSpan span => span.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            IEnumerable<string> list => "[" + string.Join(", ", list) + "]",
            bool flag => flag ? "true" : "false",
            Enum choice => WireNames(choice.GetType()).First(v => v.Value.Equals(choice)).WireName,
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}

/// <summary>One option as declared: its key, default (as YAML would spell it), range and description.</summary>
public sealed record OptionDescription(string Key, string? Default, double? Min, double? Max, bool Required, string? Description);
