/* The context switch for x86_64 (System V ABI): Linux, darwin and the BSDs.
 *
 * A context is just a saved stack pointer: cnet__ctx_switch pushes the callee-saved
 * registers (rbx, rbp, r12-r15) and the SSE and x87 control words on the current stack,
 * stores rsp in *from, loads to and pops the same set from there (loading the control
 * words only when they differ: a load stalls the pipeline). Everything else is
 * caller-saved, so the compiler has already spilled it around the call. No system call:
 * the signal mask belongs to the thread, not the task (unlike swapcontext). */
#include "internal.h"

#if defined(__APPLE__)
#define SYM(name) "_" #name
#define FUNC(name) ".globl " SYM(name) "\n.p2align 4\n" SYM(name) ":\n"
#define END(name)
#else
#define SYM(name) #name
#define FUNC(name) ".globl " SYM(name) "\n.hidden " SYM(name) "\n.type " SYM(name) ",@function\n.p2align 4\n" SYM(name) ":\n"
#define END(name) ".size " SYM(name) ", .-" SYM(name) "\n"
#endif

__asm__(".text\n"
        FUNC(cnet__ctx_switch)
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movl (%rsp), %eax\n"
        "    movzwl 4(%rsp), %edx\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        /* MXCSR and the x87 control word: loaded only if the context being resumed
         * saved them different from the current ones. */
        "    cmpl (%rsp), %eax\n"
        "    jne 2f\n"
        "    cmpw 4(%rsp), %dx\n"
        "    jne 2f\n"
        "1:  addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        "2:  ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    jmp 1b\n"
        END(cnet__ctx_switch)
        /* A new task's first return lands here with its entry in r12 and argument in
         * r13. rip is undefined in this frame, so debuggers and unwinders stop here. */
        FUNC(cnet__ctx_start)
        "    .cfi_startproc\n"
        "    .cfi_undefined rip\n"
        "    movq %r13, %rdi\n"
        "    callq *%r12\n"
        "    ud2\n"
        "    .cfi_endproc\n"
        END(cnet__ctx_start));

void cnet__ctx_start(void);

void *cnet__ctx_make(void *stack_top, void (*entry)(void *), void *arg)
{
    uint64_t *sp = (uint64_t *)((uintptr_t)stack_top & ~(uintptr_t)15);

    /* When the switch returns into cnet__ctx_start, rsp must be 16-byte aligned so that
     * its call gives entry the ABI's alignment: the return address sits at 8 mod 16. */
    *--sp = 0;                               /* padding */
    *--sp = 0;                               /* padding */
    *--sp = (uint64_t)(uintptr_t)cnet__ctx_start; /* the return address */
    *--sp = 0;                               /* rbp: the end of the frame chain */
    *--sp = 0;                               /* rbx */
    *--sp = (uint64_t)(uintptr_t)entry;      /* r12 */
    *--sp = (uint64_t)(uintptr_t)arg;        /* r13 */
    *--sp = 0;                               /* r14 */
    *--sp = 0;                               /* r15 */
    *--sp = 0x037F00001F80ull;               /* MXCSR 0x1F80, x87 control word 0x037F: the defaults */
    return sp;
}
