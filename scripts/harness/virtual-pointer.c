/*
 * virtual-pointer: a real pointer for a compositor that has none (the tests' headless Sway),
 * through the wlroots protocol zwlr_virtual_pointer_v1 (Sway 1.7 offers version 2 of it).
 *
 * Build (scripts/setup.sh does it, into dist/virtual-pointer):
 *   cc -O2 -Wall -o dist/virtual-pointer scripts/harness/virtual-pointer.c -lwayland-client
 *
 * Usage, with WAYLAND_DISPLAY (and XDG_RUNTIME_DIR) of the compositor in the environment:
 *   virtual-pointer click X Y [left|right|middle]   move there, press and release a button
 *   virtual-pointer move X Y                         move there only
 *   virtual-pointer scroll X Y up|down|left|right    move there, one wheel step
 *   virtual-pointer serve                            read such commands (without the program
 *                                                    name), one a line, from standard input
 * X and Y are output-layout coordinates (those of `swaymsg -t get_outputs` rects and of a grim
 * screenshot of all outputs). In serve mode the pointer device stays on the seat between
 * commands, and each command is answered on standard output by one line: `ok`, or
 * `error: WHY`; the harness (scripts/harness/pointer.ts, session.click) uses this mode, since
 * clients bind their wl_pointer only once the seat announces a pointer, so a device created
 * just before a click may press a button nobody listens to yet. The one-shot commands wait a
 * moment after creating the device for that reason. Exit status 0, 1 on a bad command, 2 when
 * the compositor lacks the protocol or cannot be reached.
 *
 * No package in Debian 12 ships a client of this protocol nor its XML, so the two interfaces
 * are declared here by hand, from the protocol's published list of requests (in order):
 *   zwlr_virtual_pointer_manager_v1: create_virtual_pointer(seat: object?, id: new_id),
 *     destroy(), create_virtual_pointer_with_output(seat: object?, output: object?, id) [v2]
 *   zwlr_virtual_pointer_v1: motion(time, dx: fixed, dy: fixed), motion_absolute(time, x, y,
 *     x_extent, y_extent), button(time, button, state), axis(time, axis, value: fixed),
 *     frame(), axis_source(source), axis_stop(time, axis), axis_discrete(time, axis,
 *     value: fixed, discrete: int), destroy(); it has no events.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wayland-client.h>

/* Linux input event codes (linux/input-event-codes.h), kept here to need no kernel headers. */
#define BUTTON_LEFT 0x110
#define BUTTON_RIGHT 0x111
#define BUTTON_MIDDLE 0x112

/* Request opcodes, in the order the protocol declares them. */
enum { MANAGER_CREATE_VIRTUAL_POINTER = 0, MANAGER_DESTROY = 1 };
enum {
  POINTER_MOTION_ABSOLUTE = 1,
  POINTER_BUTTON = 2,
  POINTER_FRAME = 4,
  POINTER_AXIS_SOURCE = 5,
  POINTER_AXIS_DISCRETE = 7,
  POINTER_DESTROY = 8,
};

/* wl_pointer's enums, which the virtual pointer reuses. */
enum { BUTTON_RELEASED = 0, BUTTON_PRESSED = 1 };
enum { AXIS_VERTICAL = 0, AXIS_HORIZONTAL = 1 };
enum { AXIS_SOURCE_WHEEL = 0 };

/* One wheel step: libinput's usual 15 units per detent. */
#define WHEEL_STEP 15.0

static const struct wl_interface virtual_pointer_interface;

static const struct wl_interface *no_types[] = {NULL, NULL, NULL, NULL, NULL};
static const struct wl_interface *create_pointer_types[] = {
    &wl_seat_interface,
    &virtual_pointer_interface,
};
static const struct wl_interface *create_pointer_with_output_types[] = {
    &wl_seat_interface,
    &wl_output_interface,
    &virtual_pointer_interface,
};

static const struct wl_message manager_requests[] = {
    {"create_virtual_pointer", "?on", create_pointer_types},
    {"destroy", "", no_types},
    {"create_virtual_pointer_with_output", "2?o?on", create_pointer_with_output_types},
};

static const struct wl_interface manager_interface = {
    "zwlr_virtual_pointer_manager_v1", 2, 3, manager_requests, 0, NULL,
};

static const struct wl_message pointer_requests[] = {
    {"motion", "uff", no_types},
    {"motion_absolute", "uuuuu", no_types},
    {"button", "uuu", no_types},
    {"axis", "uuf", no_types},
    {"frame", "", no_types},
    {"axis_source", "u", no_types},
    {"axis_stop", "uu", no_types},
    {"axis_discrete", "uufi", no_types},
    {"destroy", "", no_types},
};

static const struct wl_interface virtual_pointer_interface = {
    "zwlr_virtual_pointer_v1", 2, 9, pointer_requests, 0, NULL,
};

/* An output's place in the layout, to turn layout coordinates into the absolute extent. */
struct output {
  struct wl_output *proxy;
  uint32_t name;
  int32_t x, y, width, height;
  struct output *next;
};

struct state {
  struct wl_display *display;
  struct wl_seat *seat;
  struct wl_proxy *manager;
  struct wl_proxy *pointer;
  struct output *outputs;
};

static void output_geometry(void *data, struct wl_output *proxy, int32_t x, int32_t y,
                            int32_t physical_width, int32_t physical_height, int32_t subpixel,
                            const char *make, const char *model, int32_t transform) {
  struct output *output = data;
  output->x = x;
  output->y = y;
  (void)proxy, (void)physical_width, (void)physical_height, (void)subpixel, (void)make;
  (void)model, (void)transform;
}

static void output_mode(void *data, struct wl_output *proxy, uint32_t flags, int32_t width,
                        int32_t height, int32_t refresh) {
  struct output *output = data;
  if (flags & WL_OUTPUT_MODE_CURRENT) {
    output->width = width;
    output->height = height;
  }
  (void)proxy, (void)refresh;
}

static void output_done(void *data, struct wl_output *proxy) { (void)data, (void)proxy; }

static void output_scale(void *data, struct wl_output *proxy, int32_t factor) {
  (void)data, (void)proxy, (void)factor;
}

static const struct wl_output_listener output_listener = {
    output_geometry, output_mode, output_done, output_scale,
};

static void global_added(void *data, struct wl_registry *registry, uint32_t name,
                         const char *interface, uint32_t version) {
  struct state *state = data;
  if (strcmp(interface, manager_interface.name) == 0) {
    state->manager = wl_registry_bind(registry, name, &manager_interface, 1);
  } else if (strcmp(interface, wl_seat_interface.name) == 0 && state->seat == NULL) {
    state->seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
  } else if (strcmp(interface, wl_output_interface.name) == 0) {
    struct output *output = calloc(1, sizeof *output);
    if (output == NULL) abort();
    output->name = name;
    output->proxy = wl_registry_bind(registry, name, &wl_output_interface, version < 2 ? 1 : 2);
    wl_output_add_listener(output->proxy, &output_listener, output);
    output->next = state->outputs;
    state->outputs = output;
  }
}

static void global_removed(void *data, struct wl_registry *registry, uint32_t name) {
  struct state *state = data;
  for (struct output **link = &state->outputs; *link != NULL; link = &(*link)->next) {
    if ((*link)->name != name) continue;
    struct output *gone = *link;
    *link = gone->next;
    wl_output_destroy(gone->proxy);
    free(gone);
    return;
  }
  (void)registry;
}

static const struct wl_registry_listener registry_listener = {global_added, global_removed};

static uint32_t now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

static void sleep_ms(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&pause, &pause) == -1 && errno == EINTR) continue;
}

/* Moves the pointer to layout point (x, y): absolute motion over the layout's bounding box. */
static const char *move_to(struct state *state, double x, double y) {
  int32_t left = INT32_MAX, top = INT32_MAX, right = INT32_MIN, bottom = INT32_MIN;
  for (struct output *output = state->outputs; output != NULL; output = output->next) {
    if (output->width <= 0 || output->height <= 0) continue;
    if (output->x < left) left = output->x;
    if (output->y < top) top = output->y;
    if (output->x + output->width > right) right = output->x + output->width;
    if (output->y + output->height > bottom) bottom = output->y + output->height;
  }
  if (left == INT32_MAX) return "the compositor announced no output with a size";
  if (x < left || y < top || x >= right || y >= bottom) return "the point is outside every output";
  wl_proxy_marshal(state->pointer, POINTER_MOTION_ABSOLUTE, now_ms(), (uint32_t)(x - left),
                   (uint32_t)(y - top), (uint32_t)(right - left), (uint32_t)(bottom - top));
  wl_proxy_marshal(state->pointer, POINTER_FRAME);
  return NULL;
}

static void send_button(struct state *state, uint32_t button, uint32_t pressed) {
  wl_proxy_marshal(state->pointer, POINTER_BUTTON, now_ms(), button, pressed);
  wl_proxy_marshal(state->pointer, POINTER_FRAME);
}

static const char *scroll(struct state *state, const char *direction) {
  uint32_t axis;
  int32_t steps;
  if (strcmp(direction, "up") == 0) axis = AXIS_VERTICAL, steps = -1;
  else if (strcmp(direction, "down") == 0) axis = AXIS_VERTICAL, steps = 1;
  else if (strcmp(direction, "left") == 0) axis = AXIS_HORIZONTAL, steps = -1;
  else if (strcmp(direction, "right") == 0) axis = AXIS_HORIZONTAL, steps = 1;
  else return "the direction must be up, down, left or right";
  wl_proxy_marshal(state->pointer, POINTER_AXIS_SOURCE, AXIS_SOURCE_WHEEL);
  wl_proxy_marshal(state->pointer, POINTER_AXIS_DISCRETE, now_ms(), axis,
                   wl_fixed_from_double(steps * WHEEL_STEP), steps);
  wl_proxy_marshal(state->pointer, POINTER_FRAME);
  return NULL;
}

static int parse_button(const char *word, uint32_t *button) {
  if (word == NULL || strcmp(word, "left") == 0) *button = BUTTON_LEFT;
  else if (strcmp(word, "right") == 0) *button = BUTTON_RIGHT;
  else if (strcmp(word, "middle") == 0) *button = BUTTON_MIDDLE;
  else return 0;
  return 1;
}

static int parse_coordinate(const char *word, double *value) {
  if (word == NULL) return 0;
  char *end;
  errno = 0;
  *value = strtod(word, &end);
  return errno == 0 && end != word && *end == '\0';
}

/* Runs one command (words[0] is its verb); NULL on success, else the reason it was refused. */
static const char *run_command(struct state *state, char **words, int count) {
  if (count == 0) return "no command";
  const char *verb = words[0];
  double x, y;
  int known = strcmp(verb, "click") == 0 || strcmp(verb, "move") == 0 ||
              strcmp(verb, "scroll") == 0;
  if (!known) return "unknown command (click, move or scroll)";
  if (count < 3 || !parse_coordinate(words[1], &x) || !parse_coordinate(words[2], &y))
    return "X and Y must be numbers";

  /* The outputs' latest places, then the motion, then the compositor has handled it all. */
  wl_display_roundtrip(state->display);
  const char *problem = move_to(state, x, y);
  if (problem != NULL) return problem;
  wl_display_roundtrip(state->display);

  if (strcmp(verb, "click") == 0) {
    uint32_t button;
    if (count > 4 || !parse_button(count == 4 ? words[3] : NULL, &button))
      return "the button must be left, right or middle";
    send_button(state, button, BUTTON_PRESSED);
    send_button(state, button, BUTTON_RELEASED);
  } else if (strcmp(verb, "scroll") == 0) {
    if (count != 4) return "scroll needs a direction: up, down, left or right";
    problem = scroll(state, words[3]);
    if (problem != NULL) return problem;
  } else if (count != 3) {
    return "move takes only X and Y";
  }
  return wl_display_roundtrip(state->display) < 0 ? "the compositor closed the connection" : NULL;
}

static int serve(struct state *state) {
  char *line = NULL;
  size_t size = 0;
  while (getline(&line, &size, stdin) != -1) {
    char *words[8];
    int count = 0;
    for (char *word = strtok(line, " \t\r\n"); word != NULL && count < 8;
         word = strtok(NULL, " \t\r\n"))
      words[count++] = word;
    if (count == 0) continue;
    const char *problem = run_command(state, words, count);
    if (problem == NULL) printf("ok\n");
    else printf("error: %s\n", problem);
    fflush(stdout);
    if (wl_display_get_error(state->display) != 0) break;
  }
  free(line);
  return wl_display_get_error(state->display) != 0 ? 2 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: virtual-pointer click|move|scroll X Y [BUTTON|DIRECTION] | serve\n");
    return 1;
  }
  struct state state = {0};
  state.display = wl_display_connect(NULL);
  if (state.display == NULL) {
    fprintf(stderr, "virtual-pointer: cannot connect to the Wayland display (WAYLAND_DISPLAY)\n");
    return 2;
  }
  struct wl_registry *registry = wl_display_get_registry(state.display);
  wl_registry_add_listener(registry, &registry_listener, &state);
  wl_display_roundtrip(state.display);
  wl_display_roundtrip(state.display);
  if (state.manager == NULL) {
    fprintf(stderr, "virtual-pointer: the compositor offers no zwlr_virtual_pointer_manager_v1\n");
    return 2;
  }
  state.pointer = wl_proxy_marshal_constructor(state.manager, MANAGER_CREATE_VIRTUAL_POINTER,
                                               &virtual_pointer_interface, state.seat, NULL);
  wl_display_roundtrip(state.display);

  int status;
  if (strcmp(argv[1], "serve") == 0) {
    status = serve(&state);
  } else {
    /* Clients bind their wl_pointer when the seat gains one: give them a moment to. */
    sleep_ms(200);
    const char *problem = run_command(&state, argv + 1, argc - 1);
    if (problem != NULL) fprintf(stderr, "virtual-pointer: %s\n", problem);
    status = problem == NULL ? 0 : 1;
  }
  wl_proxy_marshal(state.pointer, POINTER_DESTROY);
  wl_proxy_destroy(state.pointer);
  wl_proxy_marshal(state.manager, MANAGER_DESTROY);
  wl_proxy_destroy(state.manager);
  wl_display_roundtrip(state.display);
  wl_display_disconnect(state.display);
  return status;
}
