/*
 * A boot sector that never lets a live migration converge: it enters 32-bit protected mode and
 * writes one word into every 4 KiB page between 1 MiB and 49 MiB, forever, so each pre-copy pass
 * finds about 48 MiB dirty again. Booted from a read-only floppy, so a migration copies no storage.
 * Built with: as --32 -o dirty32.o dirty32.S && ld -m elf_i386 -Ttext 0x7c00 --oformat binary ...
 */
	.code16
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	/* A20 on through the fast gate, so odd megabytes are distinct pages */
	inb $0x92, %al
	orb $2, %al
	andb $0xfe, %al
	outb %al, $0x92
	lgdt gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmp $0x08, $protected

	.code32
protected:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
pass:
	movl $0x100000, %edi
page:
	incl (%edi)
	addl $4096, %edi
	cmpl $0x3100000, %edi
	jb page
	jmp pass

	.p2align 3
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* flat 4 GiB code segment */
	.quad 0x00cf92000000ffff	/* flat 4 GiB data segment */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	. = _start + 510
	.byte 0x55, 0xaa
