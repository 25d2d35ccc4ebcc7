/* The context switch for aarch64 (AAPCS64): Linux and darwin.
 *
 * A context is a saved stack pointer: cnet__ctx_switch stores the callee-saved
 * registers (x19-x28, the frame pointer x29, the link register x30, d8-d15) in a
 * 160-byte frame on the current stack, stores sp in *from, loads to and restores the
 * same frame from there, then returns through x30. x18 is the platform register
 * (darwin) and is left alone. No system call. */
#include "internal.h"

#if defined(__APPLE__)
#define SYM(name) "_" #name
#define FUNC(name) ".globl " SYM(name) "\n.p2align 4\n" SYM(name) ":\n"
#define END(name)
#else
#define SYM(name) #name
#define FUNC(name) ".globl " SYM(name) "\n.hidden " SYM(name) "\n.type " SYM(name) ",%function\n.p2align 4\n" SYM(name) ":\n"
#define END(name) ".size " SYM(name) ", .-" SYM(name) "\n"
#endif

__asm__(".text\n"
        FUNC(cnet__ctx_switch)
        "    sub sp, sp, #160\n"
        "    stp x19, x20, [sp, #0]\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    stp d8, d9, [sp, #96]\n"
        "    stp d10, d11, [sp, #112]\n"
        "    stp d12, d13, [sp, #128]\n"
        "    stp d14, d15, [sp, #144]\n"
        "    mov x9, sp\n"
        "    str x9, [x0]\n"
        "    mov sp, x1\n"
        "    ldp x19, x20, [sp, #0]\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    ldp d8, d9, [sp, #96]\n"
        "    ldp d10, d11, [sp, #112]\n"
        "    ldp d12, d13, [sp, #128]\n"
        "    ldp d14, d15, [sp, #144]\n"
        "    add sp, sp, #160\n"
        "    ret\n"
        END(cnet__ctx_switch)
        /* A new task's first return lands here with its entry in x19 and argument in
         * x20. The return address is undefined here, so unwinders stop. */
        FUNC(cnet__ctx_start)
        "    .cfi_startproc\n"
        "    .cfi_undefined x30\n"
        "    mov x0, x20\n"
        "    blr x19\n"
        "    brk #0\n"
        "    .cfi_endproc\n"
        END(cnet__ctx_start));

void cnet__ctx_start(void);

void *cnet__ctx_make(void *stack_top, void (*entry)(void *), void *arg)
{
    uint64_t *sp = (uint64_t *)((uintptr_t)stack_top & ~(uintptr_t)15) - 20;

    for (int i = 0; i < 20; i++)
        sp[i] = 0; /* x21-x28, x29 (end of the frame chain), d8-d15 */
    sp[0] = (uint64_t)(uintptr_t)entry;          /* x19 */
    sp[1] = (uint64_t)(uintptr_t)arg;            /* x20 */
    sp[11] = (uint64_t)(uintptr_t)cnet__ctx_start; /* x30: where the first switch returns */
    return sp;
}
