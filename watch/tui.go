package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// The terminal view: a bubbletea program whose model (view) shows the last
// Frame a Source gave, and passes the user's / and p back to the Source.
// tui_view.go lays the screen out, tui_panels.go draws each panel,
// tui_format.go holds the cell and number helpers.

// Source gives the view its frames: Frames delivers a new Frame each
// refresh; SetFilter and SetPaused pass the user's / and p to the engine
// (SetFilter returns an error for a selector that does not parse: the view
// shows it and the old filter stays).
type Source interface {
	Frames() <-chan Frame
	SetFilter(sel string) error
	SetPaused(paused bool)
}

// RunTerminal runs the full-screen view on in/out until q (or ctrl-c) or
// ctx is done; it returns nil then. A nil in reads the keys from the
// controlling terminal (/dev/tty), for when standard input carries the
// log. It returns an error only when the terminal cannot be set up or
// restored.
func RunTerminal(ctx context.Context, src Source, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()                 // ends the wait for the next frame
	r := lipgloss.NewRenderer(out) // NO_COLOR and the terminal's colours
	// Ask the terminal for its background before the program reads the
	// input: the answer would otherwise arrive as keys.
	r.HasDarkBackground()
	m := newView(ctx, src, r)
	keys := tea.WithInput(in)
	if in == nil {
		keys = tea.WithInputTTY()
	}
	p := tea.NewProgram(m, keys, tea.WithOutput(out), tea.WithAltScreen())
	// ctx ends the view as q does. (bubbletea's own WithContext kills the
	// program instead, which closes the input under its read loop.)
	stop := context.AfterFunc(ctx, p.Quit)
	defer stop()
	_, err := p.Run()
	if err == nil || errors.Is(err, tea.ErrInterrupted) {
		return nil
	}
	return fmt.Errorf("cannot run the terminal view: %w", err)
}

// panel names what tab focuses: the focused panel gets the spare height.
type panel int

const (
	panelIncidents panel = iota
	panelRates
	panelFailing
	panelFiles
	numPanels
)

func (p panel) String() string {
	return [...]string{"incidents", "rates", "failing", "files"}[p]
}

// Default size until the terminal tells its own (none is told when the
// output is not a terminal).
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// view is the bubbletea model of the terminal view.
type view struct {
	ctx    context.Context
	src    Source
	frames <-chan Frame
	st     styles

	frame   *Frame // the frame shown; nil before the first
	pending *Frame // the newest frame received while paused
	ended   bool   // the source closed its channel
	paused  bool

	// filter is the selector last applied through /, shown until the
	// next frame (awaiting); then the frame's own, which its figures count.
	filter    string
	awaiting  bool
	editing   bool   // the / input is open
	input     []rune // what is typed after /
	filterErr string // why the last selector was refused

	focus         panel
	width, height int
}

// frameMsg is a Frame read from the Source; endedMsg says its channel is
// closed.
type (
	frameMsg Frame
	endedMsg struct{}
)

func newView(ctx context.Context, src Source, r *lipgloss.Renderer) *view {
	return &view{ctx: ctx, src: src, frames: src.Frames(), st: newStyles(r), width: defaultWidth, height: defaultHeight}
}

// Init waits for the first frame.
func (v *view) Init() tea.Cmd { return v.next() }

// next waits for the Source's next frame, or for the view to end.
func (v *view) next() tea.Cmd {
	ch, ctx := v.frames, v.ctx
	return func() tea.Msg {
		select {
		case f, ok := <-ch:
			if !ok {
				return endedMsg{}
			}
			return frameMsg(f)
		case <-ctx.Done():
			return nil
		}
	}
}

// Update takes a frame, a key or a resize.
func (v *view) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case frameMsg:
		f := Frame(msg)
		if v.paused {
			v.pending = &f
		} else {
			v.frame, v.awaiting = &f, false
		}
		return v, v.next()
	case endedMsg:
		v.ended = true
	case tea.WindowSizeMsg:
		v.width, v.height = msg.Width, msg.Height
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			// Keys typed faster than the view reads them come as one
			// message ("/status=404"): each is a key of its own, the
			// first perhaps a command, the others then the filter's.
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				_, cmd := v.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
				cmds = append(cmds, cmd)
			}
			return v, tea.Sequence(cmds...)
		}
		if msg.Type == tea.KeyCtrlC {
			return v, tea.Quit
		}
		if v.editing {
			v.edit(msg)
			return v, nil
		}
		return v, v.command(msg)
	}
	return v, nil
}

// command runs a key outside the filter input.
func (v *view) command(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "q", "Q":
		return tea.Quit
	case "p", "P":
		v.paused = !v.paused
		v.src.SetPaused(v.paused)
		if !v.paused && v.pending != nil {
			v.frame, v.pending, v.awaiting = v.pending, nil, false
		}
	case "/":
		v.editing, v.filterErr = true, ""
		v.input = []rune(v.shownFilter())
	case "tab":
		v.focus = (v.focus + 1) % numPanels
	case "shift+tab":
		v.focus = (v.focus + numPanels - 1) % numPanels
	case "esc":
		v.filterErr = ""
	}
	return nil
}

// edit runs a key in the filter input: enter applies, esc cancels.
func (v *view) edit(k tea.KeyMsg) {
	switch k.Type {
	case tea.KeyEnter:
		sel := string(v.input)
		if err := v.src.SetFilter(sel); err != nil {
			v.filterErr = err.Error() // the input stays open to fix it
			return
		}
		v.filter, v.awaiting, v.editing, v.filterErr = sel, true, false, ""
	case tea.KeyEsc:
		v.editing, v.filterErr, v.input = false, "", nil
	case tea.KeyBackspace, tea.KeyCtrlH:
		if len(v.input) > 0 {
			v.input = v.input[:len(v.input)-1]
		}
	case tea.KeyCtrlU:
		v.input = v.input[:0]
	case tea.KeySpace:
		v.input = append(v.input, ' ')
	case tea.KeyRunes:
		for _, r := range k.Runes {
			if unicode.IsPrint(r) { // a pasted newline or escape is no selector
				v.input = append(v.input, r)
			}
		}
	}
}

// shownFilter is the selector in force: the one just applied through /
// until a frame comes, else the frame's (typed before, or given as flags).
func (v *view) shownFilter() string {
	if v.awaiting || v.frame == nil {
		return v.filter
	}
	return v.frame.Filter
}
