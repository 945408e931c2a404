using Spectre.Console;
using Spectre.Console.Rendering;

namespace HomeSec.Cli;

/// <summary>
/// Tables for the CLI through Spectre.Console. On a terminal: borders and colours (Spectre honours NO_COLOR) at
/// the terminal's width. Piped or redirected: no colour, no border, columns two spaces apart, one line per
/// row however long, no trailing spaces, so scripts (awk, grep) see stable columns.
/// </summary>
internal static class TerminalOutput
{
    /// <summary>Wide enough that no row of a piped table is ever wrapped.</summary>
    private const int PipedWidth = 10_000;

    public static bool IsTerminal => !Console.IsOutputRedirected;

    public static Table Table(params string[] headers)
    {
        var table = new Table { Border = IsTerminal ? TableBorder.Rounded : TableBorder.None };
        foreach (var header in headers)
        {
            var column = new TableColumn(new Text(header, IsTerminal ? new Style(decoration: Decoration.Bold) : Style.Plain));
            table.AddColumn(IsTerminal ? column : column.Padding(0, 0, 2, 0));
        }

        return table;
    }

    /// <summary>Untrusted text (camera names, file paths, model output) as a cell: never read as markup.</summary>
    public static Text Cell(string? text, Color? color = null) =>
        new(text ?? "-", color is { } c && IsTerminal ? new Style(c) : Style.Plain);

    public static void Write(IRenderable renderable)
    {
        if (IsTerminal)
        {
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out), Interactive = InteractionSupport.No }).Write(renderable);
            return;
        }

        using var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(buffer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = PipedWidth;
        console.Write(renderable);
        foreach (var line in buffer.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            Console.Out.WriteLine(line.TrimEnd());
        }
    }

    /// <summary>The colour of a clip status on a terminal: done green, error red, deleted grey, in progress yellow.</summary>
    public static Color StatusColor(string status) => status switch
    {
        "done" => Color.Green,
        "error" => Color.Red,
        "deleted" => Color.Grey,
        _ => Color.Yellow,
    };
}
