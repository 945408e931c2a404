namespace HomeSec.Core.Cluster;

/// <summary>
/// Which cluster member <c>homesec cluster leave|down ADDRESS</c> means: its full address as <c>inspect cluster</c>
/// prints it (<c>akka.ssl.tcp://homesec@gpu-box:4053</c>) or just its <c>host:port</c>. Pure, so the sentences are specified.
/// </summary>
public abstract record MemberLookup
{
    public sealed record Found(string Address) : MemberLookup;

    /// <summary>Nothing usable was given (a 400).</summary>
    public sealed record NotAnAddress(string Problem) : MemberLookup;

    /// <summary>An address, but no member has it (a 404).</summary>
    public sealed record NotAMember(string Problem) : MemberLookup;

    public static MemberLookup Resolve(IReadOnlyCollection<string> members, string? given)
    {
        var text = given?.Trim() ?? "";
        if (text.Length == 0 || text.Length > 300 || text.Any(char.IsControl))
        {
            return new NotAnAddress("give the member's address, e.g. akka.ssl.tcp://homesec@gpu-box:4053 or gpu-box:4053 (homesec inspect cluster lists them)");
        }

        if (members.FirstOrDefault(m => string.Equals(m, text, StringComparison.Ordinal)) is { } exact)
        {
            return new Found(exact);
        }

        if (!text.Contains("://", StringComparison.Ordinal))
        {
            if (!text.Contains(':', StringComparison.Ordinal))
            {
                return new NotAnAddress($"'{text}' has no port: give host:port (e.g. {text}:4053) or the whole address that homesec inspect cluster prints");
            }

            var byHost = members.Where(m => m.EndsWith("@" + text, StringComparison.OrdinalIgnoreCase)).ToList();
            if (byHost.Count == 1)
            {
                return new Found(byHost[0]);
            }
        }

        return new NotAMember($"no member of the cluster is at '{text}'; the members are: {(members.Count == 0 ? "none" : string.Join(", ", members.Order(StringComparer.Ordinal)))}");
    }
}
