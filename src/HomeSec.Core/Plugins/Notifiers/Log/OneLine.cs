using System.Globalization;
using System.Text;

namespace HomeSec.Core.Plugins.Notifiers.Log;

/// <summary>Untrusted text (a model's summary) as one double-quoted log token that cannot start a new line.</summary>
public static class OneLine
{
    public static string Quoted(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\r':
                    quoted.Append("\\r");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                // Other control characters and the Unicode line/paragraph separators would break or forge a line too.
                case var other when char.IsControl(other) || other is '\u2028' or '\u2029':
                    quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)other:x4}");
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
