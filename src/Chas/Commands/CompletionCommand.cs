using System.CommandLine;

namespace Chas.Commands;

/// <summary>
/// `chas completion bash|zsh`: a shell script that asks `chas` itself what may come next, through
/// System.CommandLine's [suggest] directive, so completions always match this binary's verbs and flags.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # chas completion for bash: source it, or save it as /etc/bash_completion.d/chas
        _chas_complete() {
          local IFS=$'\n'
          local line="${COMP_LINE:0:$COMP_POINT}"
          COMPREPLY=( $(compgen -W "$(chas "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _chas_complete chas
        """;

    private const string Zsh = """
        #compdef chas
        # chas completion for zsh: save it as _chas somewhere on $fpath, or source it after compinit
        _chas() {
          local line="${(j: :)words[1,CURRENT]}"
          local -a candidates
          candidates=(${(f)"$(chas "[suggest:${#line}]" "$line" 2>/dev/null)"})
          compadd -a candidates
        }
        compdef _chas chas
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var cmd = new Command("completion", "Print a shell completion script: source <(chas completion bash)") { shell };
        cmd.SetAction(parse =>
        {
            Console.Out.WriteLine(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return cmd;
    }
}
